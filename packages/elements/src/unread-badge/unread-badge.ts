import { css, html } from 'lit';
import type { Counts } from '@fg/protocol/frames';
import { CountBadge, countBadgeStyles } from '../count-badge.js';
import { widgetStyles } from '../styles.js';

/**
 * @summary How many messages from families are unread, named "Unread messages" for
 * assistive technology. Above 99 it shows "99+"; the exact number stays in the accessible name.
 *
 * @csspart base - The badge.
 * @csspart icon - The envelope icon.
 * @csspart label - The word "Unread".
 * @csspart count - The number.
 *
 * @cssproperty --fg-unread-badge-count-background - Defaults to `--fg-color-accent`.
 * @cssproperty --fg-unread-badge-count-color - Defaults to `--fg-color-on-accent`.
 */
export class FgUnreadBadge extends CountBadge {
  static override styles = [
    widgetStyles,
    countBadgeStyles,
    css`
      :host {
        --_count-background: var(--fg-unread-badge-count-background, var(--_accent));
        --_count-color: var(--fg-unread-badge-count-color, var(--_on-accent));
      }
    `,
  ];

  protected readonly _label = 'Unread messages';
  protected readonly _text = 'Unread messages';

  protected _pick(counts: Counts): number {
    return counts.unreadMessages;
  }

  protected _renderIcon() {
    return html`<svg part="icon" viewBox="0 0 24 24" aria-hidden="true">
      <rect x="3" y="5" width="18" height="14" rx="2" />
      <path d="M3 7l9 6 9-6" />
    </svg>`;
  }
}
