/**
 * The contexts a `<fg-dashboard-provider>` offers to every widget below it, across
 * shadow roots: the one client (one connection for all widgets) and the display settings.
 */
import { createContext } from '@lit/context';
import type { DashboardClient } from '@fg/realtime';

export const dashboardClientContext = createContext<DashboardClient | undefined>(
  Symbol.for('fg-dashboard-client'),
);

export interface DashboardSettings {
  /** BCP 47 locale for numbers, money and dates; defaults to the consultant's own locale. */
  readonly locale?: string | undefined;
  /** Where a person signs in again after the session expired. */
  readonly loginUrl?: string | undefined;
}

export const dashboardSettingsContext = createContext<DashboardSettings>(Symbol.for('fg-dashboard-settings'));
