import { LitElement, css, html, type PropertyValues } from 'lit';
import type { DashboardState } from '@fg/realtime';
import { FormatController, now } from '../format.js';
import { StoreController, shallowEqual } from '../store-controller.js';
import { widgetStyles } from '../styles.js';

const NO_NEWS: DashboardState['recentEvents'] = [];

/**
 * The frame's events when one of them is worth announcing, else none: the region does not
 * even update for counts, revenue or recalculations. The epoch too: the region learns where
 * announcing starts as soon as a dashboard arrives.
 */
const select = ({ recentEvents, snapshot }: DashboardState) => ({
  news: recentEvents.some((e) => e.priority === 'high') ? recentEvents : NO_NEWS,
  epoch: snapshot?.epoch,
});

/**
 * @summary The one polite live region of a dashboard. It announces new messages and new
 * bookings (the high-priority events) and nothing else: counts, revenue, status changes
 * and recalculations are shown without interrupting a screen-reader user. A burst is
 * summed up ("3 new messages") rather than read one by one.
 *
 * `<fg-dashboard>` contains one; add it yourself only when you lay the widgets out without
 * `<fg-dashboard>`, and only once per page.
 *
 * @csspart base - The region, visually hidden. To show it, restyle it and set `contain: none`:
 *   hidden, it is its own layout root, with strict containment.
 */
export class FgLiveRegion extends LitElement {
  static override styles = [
    widgetStyles,
    // Its own layout root: an announcement lays out this box alone, not the page around it.
    css`
      [role='status'] {
        contain: strict;
        inset-block-start: 0;
        inset-inline-start: 0;
      }
    `,
  ];

  private readonly _view = new StoreController(this, select, shallowEqual);
  private readonly _format = new FormatController(this);

  /** Where announcing resumes: events at or before it were already read, or predate this page. */
  private _cursor: { epoch: string; seq: number } | undefined;
  /** What the coming update announces. */
  private _batch: string[] = [];

  protected override willUpdate(_changed: PropertyValues<this>): void {
    const snapshot = this._view.state.snapshot;
    if (!snapshot) return;
    const cursor = this._cursor;
    this._cursor = { epoch: snapshot.epoch, seq: snapshot.seq };
    // The first state seen, or a new event log: history is not news.
    if (cursor?.epoch !== snapshot.epoch) return;
    const fresh = this._view.value.news.filter((e) => e.seq > cursor.seq && e.priority === 'high');
    const format = this._format.for(snapshot.consultant);
    // The subjects of one kind of event, each read out, or a burst summed up.
    const announce = (kind: string, burst: string, one: (id: string) => string) => {
      const ids = fresh.filter((e) => e.kind === kind).map((e) => e.subject.id);
      return ids.length > 2 ? [`${ids.length} new ${burst}`] : ids.map(one);
    };
    this._batch = [
      ...announce('consultation.booked', 'bookings', (id) => {
        const item = snapshot.upcoming.find((i) => i.id === id);
        return item
          ? `New booking: ${item.familyName}, ${format.dayAndTime(item.startsAt, this._view.serverTime(now()))}`
          : 'New consultation booked';
      }),
      ...announce('message.received', 'messages', (id) => {
        const item = snapshot.recentMessages.find((m) => m.id === id);
        return item ? `New message from ${item.familyName}` : 'New message';
      }),
    ];
  }

  override render() {
    return html`<div class="vh" part="base" role="status" aria-live="polite" aria-atomic="false"></div>`;
  }

  protected override updated(_changed: PropertyValues<this>): void {
    if (!this._batch.length) return;
    // The new batch replaces the old one, as new paragraphs: additions are read, removals are
    // not, and no announcement ever moves (so the region causes no layout shift, even hidden).
    this.renderRoot
      .querySelector('[role=status]')!
      .replaceChildren(
        ...this._batch.map((text) => Object.assign(document.createElement('p'), { textContent: text })),
      );
    this._batch = [];
  }
}
