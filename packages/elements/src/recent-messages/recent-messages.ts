import { html, nothing, type PropertyValues } from 'lit';
import type { DashboardClient } from '@fg/realtime';
import { Limits, type MessageItem } from '@fg/protocol/frames';
import type { Formatter } from '../format.js';
import { ListElement } from '../list.js';
import type { Freshness } from '../store-controller.js';
import { listStyles, widgetStyles } from '../styles.js';
import { recentMessagesStyles } from './recent-messages.styles.js';

/** `fg-mark-read` detail. */
export interface MarkReadDetail {
  readonly messageId: string;
}

/**
 * Fired before a message is marked read. Cancel it to handle the action yourself; the
 * message changes once the server's `message.read` event arrives, in every tab.
 */
export class FgMarkReadEvent extends CustomEvent<MarkReadDetail> {
  constructor(messageId: string) {
    super('fg-mark-read', { detail: { messageId }, bubbles: true, composed: true, cancelable: true });
  }
}

declare global {
  interface GlobalEventHandlersEventMap {
    'fg-mark-read': FgMarkReadEvent;
  }
}

/**
 * @summary The newest messages from families (the first three), unread ones marked, each
 * with a "Mark as read" action. A list named "Recent Messages".
 *
 * Family-written text is always shown as text, never as markup. When marking a message
 * read fails, its button says so and offers to try again, and a polite status of the list's
 * own says it too ("Could not mark the message from … as read").
 *
 * @fires {FgMarkReadEvent} fg-mark-read - Before a message is marked read (cancelable;
 * `detail.messageId`).
 * @fires {CustomEvent<ClientErrorDetail>} fg-error - When marking a message read failed
 * (`detail.code`, `detail.message`).
 *
 * @csspart base - The card around the list.
 * @csspart heading - The heading "Recent Messages".
 * @csspart scroller - The scrolling box around the list, of reserved height.
 * @csspart list - The list.
 * @csspart item - A message.
 * @csspart item-unread - A message while it is unread (also `item`).
 * @csspart unread-marker - The dot of an unread message.
 * @csspart family - Who wrote it.
 * @csspart time - How long ago.
 * @csspart preview - The start of the message.
 * @csspart mark-read - The "Mark as read" button.
 * @csspart mark-read-failed - The same button once marking failed, reading "Try again" (also `mark-read`).
 * @csspart empty - What shows when there are no messages.
 *
 * @cssproperty --fg-recent-messages-background - Defaults to `--fg-color-surface`.
 * @cssproperty --fg-recent-messages-row-height - Height of every row (rows never change size with
 *   their data): 4.5rem, and 9.5rem in a list narrower than 20rem, where who wrote (on up to
 *   two lines), when, the text and the button each take the whole width.
 * @cssproperty --fg-recent-messages-height - Height of the scroller; three rows by default.
 * @cssproperty --fg-recent-messages-unread-color - The unread dot; defaults to `--fg-color-accent`.
 * @cssproperty --fg-recent-messages-action-background - Defaults to `--fg-color-surface`.
 * @cssproperty --fg-recent-messages-action-color - Defaults to `--fg-color-accent`.
 */
export class FgRecentMessages extends ListElement<MessageItem> {
  static override styles = [widgetStyles, listStyles, recentMessagesStyles];

  /** Messages to show instead of the dashboard's, for a host that brings its own data. */
  declare items: readonly MessageItem[] | undefined;

  protected readonly _heading = 'Recent Messages';
  protected readonly _emptyText = 'No messages yet';
  protected readonly _skeletonRows = Limits.recentMessages;
  protected readonly _flashKind = 'message.received';
  protected readonly _rowsAreSlots = true;

  /** Messages whose "Mark as read" is on its way to the server (rendered: update after a change). */
  private readonly _pending = new Set<string>();
  /** Messages whose last "Mark as read" failed: their button offers to try again. */
  private readonly _failed = new Set<string>();
  /**
   * What the last "Mark as read" that failed says, in a polite status of the list's own: the
   * focused button's new name alone is not read out by every screen reader.
   */
  private _note = '';
  /** The client those were for: another one (another consultant) forgets them. */
  private _client: DashboardClient | undefined;

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (this._view.client !== this._client) {
      this._client = this._view.client;
      this._failed.clear();
      this._note = '';
    }
    super.willUpdate(changed);
  }

  protected override _renderNote() {
    return html`<p class="vh" role="status">${this._note}</p>`;
  }

  protected _pick(snapshot: { recentMessages: readonly MessageItem[] }) {
    return snapshot.recentMessages;
  }

  protected override _newRow(row: HTMLElement): void {
    row.tabIndex = -1;
  }

  private async _markRead(message: MessageItem): Promise<void> {
    if (this._pending.has(message.id)) return;
    if (!this.dispatchEvent(new FgMarkReadEvent(message.id))) return;
    const client = this._view.client;
    if (!client) return;
    this._pending.add(message.id);
    this._note = '';
    this.requestUpdate();
    try {
      await client.markMessageRead(message.id);
      this._failed.delete(message.id);
    } catch (error) {
      // Not if the dashboard is another consultant's by now, nor if the message shows read
      // (the server marked it, and its answer was lost on the way back).
      if (client === this._view.client && !this._shown?.find((m) => m.id === message.id)?.read) {
        this._failed.add(message.id);
        this._note = `Could not mark the message from ${message.familyName} as read`;
      }
      this.dispatchEvent(
        new CustomEvent('fg-error', {
          detail: {
            code: 'mark-read-failed',
            message: String(error instanceof Error ? error.message : error),
          },
          bubbles: true,
          composed: true,
        }),
      );
    } finally {
      this._pending.delete(message.id);
      this.requestUpdate();
    }
  }

  protected _renderItem(message: MessageItem, format: Formatter, now: number, freshness: Freshness) {
    const unread = !message.read;
    const failed = this._failed.has(message.id);
    return [
      unread ? 'item item-unread' : 'item',
      html`<span class="dot" part=${unread ? 'unread-marker' : nothing} aria-hidden="true"></span>
        <span class="family ellipsis" part="family" dir="auto"
          ><span class="vh" dir="ltr">${unread ? 'Unread message from ' : 'Message from '}</span
          >${message.familyName}</span
        >
        <time part="time" datetime=${message.sentAt} dir="auto" lang=${format.locale}
          >${format.relative(message.sentAt, now)}</time
        >
        <span class="preview ellipsis" part="preview" dir="auto">${message.preview}</span>
        ${
          unread && freshness !== 'expired'
            ? html`<button
                class="chip"
                type="button"
                part=${failed ? 'mark-read mark-read-failed' : 'mark-read'}
                aria-disabled=${this._pending.has(message.id)}
                @click=${() => this._markRead(message)}
              >
                ${
                  failed
                    ? html`<span class="vh">Not marked as read. </span>Try again<span class="vh">
                          to mark the message from ${message.familyName} as read</span
                        >`
                    : html`Mark as read<span class="vh"> the message from ${message.familyName}</span>`
                }
              </button>`
            : nothing
        }`,
    ] as const;
  }
}
