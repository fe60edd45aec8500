import { LitElement, html, nothing, type PropertyValues } from 'lit';
import { property, query, state } from 'lit/decorators.js';
import { classMap } from 'lit/directives/class-map.js';
import { repeat } from 'lit/directives/repeat.js';
import { styleMap } from 'lit/directives/style-map.js';
import { Limits, type MessageItem } from '@fg/protocol/frames';
import type { DashboardState } from '@fg/realtime';
import { ClockController, FormatController, type Formatter } from '../format.js';
import { ListMotionController } from '../list-motion.js';
import { StoreController, freshnessOf, shallowEqual } from '../store-controller.js';
import { listStyles, widgetStyles } from '../styles.js';
import { highPriorityIds } from '../templates.js';
import { recentMessagesStyles } from './recent-messages.styles.js';

const select = (state: DashboardState) => ({
  consultant: state.snapshot?.consultant,
  messages: state.snapshot?.recentMessages,
  freshness: freshnessOf(state.status),
});

const SKELETON_ROWS = Array.from({ length: Limits.recentMessages }, (_, i) => i);

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
 * Family-written text is always shown as text, never as markup.
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
 * @csspart item - A message; also `item-unread` while unread.
 * @csspart unread-marker - The dot of an unread message.
 * @csspart family - Who wrote it.
 * @csspart time - How long ago.
 * @csspart preview - The start of the message.
 * @csspart mark-read - The "Mark as read" button.
 * @csspart empty - What shows when there are no messages.
 *
 * @cssproperty --fg-recent-messages-background - Defaults to `--fg-color-surface`.
 * @cssproperty --fg-recent-messages-row-height - Height of every row (rows never change size).
 * @cssproperty --fg-recent-messages-height - Height of the scroller; three rows by default.
 * @cssproperty --fg-recent-messages-unread-color - The unread dot; defaults to `--fg-color-accent`.
 * @cssproperty --fg-recent-messages-action-background - Defaults to `--fg-color-surface`.
 * @cssproperty --fg-recent-messages-action-color - Defaults to `--fg-color-accent`.
 */
export class FgRecentMessages extends LitElement {
  static override styles = [widgetStyles, listStyles, recentMessagesStyles];

  private readonly view = new StoreController(this, select, shallowEqual, () => this.motion.measure());
  private readonly format = new FormatController(this);
  private readonly clock = new ClockController(this, 30_000);
  private readonly motion = new ListMotionController(this, () => this.scroller);

  /** Messages to show instead of the dashboard's, for a host that brings its own data. */
  @property({ attribute: false }) items: readonly MessageItem[] | undefined;

  /** Messages whose "Mark as read" is on its way to the server. */
  @state() private pending: ReadonlySet<string> = new Set();

  @query('.scroller') private readonly scroller!: HTMLElement | null;

  /** A message whose focused button went away with its unread state: its row takes the focus. */
  private refocus: string | undefined;

  protected override willUpdate(_changed: PropertyValues<this>): void {
    this.motion.items = this.shown();
    this.motion.ready = this.motion.items !== undefined;
    this.motion.highlight = highPriorityIds(this.view.state.recentEvents, 'message.received');
  }

  protected override updated(_changed: PropertyValues<this>): void {
    const id = this.refocus;
    if (id === undefined) return;
    const row = this.renderRoot.querySelector<HTMLElement>(`[data-key="${CSS.escape(id)}"]`);
    if (!row) {
      this.refocus = undefined;
    } else if (!row.querySelector('button')) {
      this.refocus = undefined;
      row.focus();
    }
  }

  private async markRead(message: MessageItem, event: Event): Promise<void> {
    if (this.pending.has(message.id)) return;
    if (!this.dispatchEvent(new FgMarkReadEvent(message.id))) return;
    const client = this.view.client;
    if (!client) return;
    if ((event.currentTarget as HTMLElement).matches(':focus')) this.refocus = message.id;
    this.pending = new Set(this.pending).add(message.id);
    try {
      await client.markMessageRead(message.id);
    } catch (error) {
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
      const pending = new Set(this.pending);
      pending.delete(message.id);
      this.pending = pending;
    }
  }

  override render() {
    const { consultant, freshness } = this.view.value;
    const items = this.shown();
    const format = this.format.for(consultant);
    const now = this.clock.now;
    return html`
      <div part="base" class=${classMap({ card: true, dimmed: freshness !== 'fresh' })}>
        <h2 id="heading" part="heading">Recent Messages</h2>
        <div class="scroller" part="scroller">
          <div
            role="list"
            part="list"
            aria-labelledby="heading"
            aria-busy=${items ? 'false' : 'true'}
            class=${classMap({ instant: this.motion.instant })}
            style=${styleMap({ '--_n': String(items?.length ?? 0) })}
          >
            ${repeat(
              items ?? [],
              (item) => item.id,
              (item, index) => this.renderItem(item, index, format, now, freshness !== 'expired'),
            )}
          </div>
          ${items ? this.renderEmpty(items.length) : this.renderSkeleton()}
        </div>
      </div>
    `;
  }

  private shown(): readonly MessageItem[] | undefined {
    return this.items ?? this.view.value.messages;
  }

  private renderItem(
    message: MessageItem,
    index: number,
    format: Formatter,
    now: number,
    actionable: boolean,
  ) {
    const unread = !message.read;
    return html`
      <div
        role="listitem"
        part="item ${unread ? 'item-unread' : ''}"
        class=${classMap({ unread })}
        data-key=${message.id}
        style=${styleMap({ '--_i': String(index) })}
        tabindex="-1"
      >
        <span class="dot" part=${unread ? 'unread-marker' : nothing} aria-hidden="true"></span>
        <span class="family ellipsis" part="family"
          ><span class="vh">${unread ? 'Unread message from ' : 'Message from '}</span
          >${message.familyName}</span
        >
        <time part="time" datetime=${message.sentAt}>${format.relative(message.sentAt, now)}</time>
        <p class="preview ellipsis" part="preview">${message.preview}</p>
        ${unread && actionable ? this.renderMarkRead(message) : nothing}
      </div>
    `;
  }

  private renderMarkRead(message: MessageItem) {
    const pending = this.pending.has(message.id);
    return html`<button
      type="button"
      part="mark-read"
      aria-disabled=${pending ? 'true' : 'false'}
      @click=${(event: Event) => this.markRead(message, event)}
    >
      Mark as read<span class="vh"> the message from ${message.familyName}</span>
    </button>`;
  }

  private renderEmpty(count: number) {
    if (count > 0) return nothing;
    return html`<p class="empty muted" part="empty">No messages yet</p>`;
  }

  private renderSkeleton() {
    return html`<div aria-hidden="true">
      ${SKELETON_ROWS.map(() => html`<div class="row"><span class="skeleton"></span><span class="skeleton"></span></div>`)}
    </div>`;
  }
}
