import type { Snapshot } from '@fg/protocol';

/** The revenue as the widgets show it to an en-US consultant: whole amounts without decimals. */
export function moneyText(revenue: Snapshot['revenue']): string {
  return new Intl.NumberFormat('en-US', {
    style: 'currency',
    currency: revenue.currency,
    minimumFractionDigits: 2,
    maximumFractionDigits: 2,
    trailingZeroDisplay: 'stripIfInteger',
  }).format(revenue.amountMinor / 100);
}
