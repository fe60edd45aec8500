import { css, html } from 'lit';
import type { Counts } from '@fg/protocol/frames';
import { CountBadge, countBadgeStyles } from '../count-badge.js';
import { widgetStyles } from '../styles.js';

/**
 * @summary How many tasks are due today, named "Tasks due today" for assistive technology.
 * Above 99 it shows "99+"; the exact number stays in the accessible name.
 *
 * @csspart base - The badge.
 * @csspart icon - The checklist icon.
 * @csspart label - The words "Tasks due today".
 * @csspart count - The number.
 *
 * @cssproperty --fg-tasks-badge-count-background - Defaults to `--fg-color-warning`.
 * @cssproperty --fg-tasks-badge-count-color - Defaults to `--fg-color-on-accent`.
 */
export class FgTasksBadge extends CountBadge {
  static override styles = [
    widgetStyles,
    countBadgeStyles,
    css`
      :host {
        --_count-background: var(--fg-tasks-badge-count-background, var(--_warning));
        --_count-color: var(--fg-tasks-badge-count-color, var(--_on-accent));
      }
    `,
  ];

  protected readonly _label = 'Tasks due today';
  protected readonly _text = 'Tasks due today';

  protected _pick(counts: Counts): number {
    return counts.tasksDueToday;
  }

  protected _renderIcon() {
    return html`<svg part="icon" viewBox="0 0 24 24" aria-hidden="true">
      <path d="M9 11l3 3L22 4" />
      <path d="M21 12v7a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2h11" />
    </svg>`;
  }
}
