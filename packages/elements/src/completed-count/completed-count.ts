import { css, html } from 'lit';
import type { Counts } from '@fg/protocol/frames';
import { CountBadge, countBadgeStyles } from '../count-badge.js';
import { widgetStyles } from '../styles.js';

/**
 * @summary How many consultations are completed, named "Completed consultations" for
 * assistive technology. Above 99 it shows "99+"; the exact number stays in the accessible name.
 *
 * @csspart base - The badge.
 * @csspart icon - The check icon.
 * @csspart label - The word "Completed".
 * @csspart count - The number.
 *
 * @cssproperty --fg-completed-count-background - Background of the number; defaults to `--fg-color-success`.
 * @cssproperty --fg-completed-count-color - Color of the number; defaults to `--fg-color-on-accent`.
 */
export class FgCompletedCount extends CountBadge {
  static override styles = [
    widgetStyles,
    countBadgeStyles,
    css`
      :host {
        --_count-background: var(--fg-completed-count-background, var(--_success));
        --_count-color: var(--fg-completed-count-color, var(--_on-accent));
      }
    `,
  ];

  protected readonly _label = 'Completed consultations';
  protected readonly _text = 'Completed';

  protected _pick(counts: Counts): number {
    return counts.completed;
  }

  protected _renderIcon() {
    return html`<svg part="icon" viewBox="0 0 24 24" aria-hidden="true">
      <circle cx="12" cy="12" r="9" />
      <path d="M8 12l3 3 5-6" />
    </svg>`;
  }
}
