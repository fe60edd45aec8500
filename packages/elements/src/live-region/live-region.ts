import { LitElement, css, html, type PropertyValues } from 'lit';
import { state } from 'lit/decorators.js';
import { keyed } from 'lit/directives/keyed.js';
import type { Snapshot } from '@fg/protocol/frames';
import type { AppliedEvent, DashboardState } from '@fg/realtime';
import { FormatController, now, type Formatter } from '../format.js';
import { StoreController, shallowEqual } from '../store-controller.js';
import { widgetStyles } from '../styles.js';

// The epoch too: the region learns where announcing starts as soon as a dashboard arrives.
const select = ({ recentEvents, snapshot }: DashboardState) => ({ recentEvents, epoch: snapshot?.epoch });

interface Announcement {
  readonly id: number;
  readonly text: string;
}

/**
 * @summary The one polite live region of a dashboard. It announces new messages and new
 * bookings (the high-priority events) and nothing else: counts, revenue, status changes
 * and recalculations are shown without interrupting a screen-reader user. A burst is
 * summed up ("3 new messages") rather than read one by one.
 *
 * `<fg-dashboard>` contains one; add it yourself only when you lay the widgets out without
 * `<fg-dashboard>`, and only once per page.
 *
 * @csspart base - The region; visually hidden unless restyled.
 */
export class FgLiveRegion extends LitElement {
  static override styles = [
    widgetStyles,
    css`
      .region {
        position: absolute;
        width: 1px;
        height: 1px;
        margin: -1px;
        overflow: hidden;
        clip-path: inset(50%);
        white-space: nowrap;
      }
    `,
  ];

  private readonly view = new StoreController(this, select, shallowEqual);
  private readonly format = new FormatController(this);

  @state() private announcements: readonly Announcement[] = [];

  private nextId = 0;
  /** Where announcing resumes: events at or before it were already read, or predate this page. */
  private cursor: { epoch: string; seq: number } | undefined;

  protected override willUpdate(_changed: PropertyValues<this>): void {
    const snapshot = this.view.state.snapshot;
    if (!snapshot) return;
    const cursor = this.cursor;
    this.cursor = { epoch: snapshot.epoch, seq: snapshot.seq };
    // The first state seen, or a new event log: history is not news.
    if (!cursor || cursor.epoch !== snapshot.epoch) return;
    const fresh = this.view.value.recentEvents.filter(
      (event) => event.seq > cursor.seq && event.priority === 'high',
    );
    const texts = this.describe(fresh, snapshot, this.format.for(snapshot.consultant));
    if (texts.length === 0) return;
    // The new batch replaces the old one: additions are read, removals are not, and no
    // announcement ever moves (so the region causes no layout shift, even hidden).
    this.announcements = texts.map((text) => ({ id: this.nextId++, text }));
  }

  override render() {
    // Each batch is new paragraphs, never old ones rewritten. Keyed by batch rather than
    // repeated by item, the old batch is cleared whole: repeat's removal leaks one marker
    // node per item in lit-html 3.3.1 to 3.3.3 (lit/lit#5298).
    const batch = this.announcements.map((a) => html`<p>${a.text}</p>`);
    return html`<div class="region" part="base" role="status" aria-live="polite" aria-atomic="false">
      ${keyed(this.announcements[0]?.id, batch)}
    </div>`;
  }

  private describe(events: readonly AppliedEvent[], snapshot: Snapshot, format: Formatter): string[] {
    const bookings = events.filter((e) => e.kind === 'consultation.booked');
    const messages = events.filter((e) => e.kind === 'message.received');
    const texts: string[] = [];
    if (bookings.length > 2) {
      texts.push(`${bookings.length} new bookings`);
    } else {
      for (const event of bookings) {
        const item = snapshot.upcoming.find((i) => i.id === event.subject.id);
        texts.push(
          item
            ? `New booking: ${item.familyName}, ${format.dayAndTime(item.startsAt, now())}`
            : 'New consultation booked',
        );
      }
    }
    if (messages.length > 2) {
      texts.push(`${messages.length} new messages`);
    } else {
      for (const event of messages) {
        const item = snapshot.recentMessages.find((m) => m.id === event.subject.id);
        texts.push(item ? `New message from ${item.familyName}` : 'New message');
      }
    }
    return texts;
  }
}
