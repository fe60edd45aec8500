import { LitElement, css, html } from 'lit';
import type { AppliedEvent, ConnectionStatus, DashboardClient, DashboardState } from '@fg/realtime';
import type { EventKind, Snapshot } from '@fg/protocol/frames';
import { ClockController, FormatController, type Formatter } from '../format.js';
import { StoreController, shallowEqual } from '../store-controller.js';
import { widgetStyles } from '../styles.js';

const NO_NEWS: DashboardState['recentEvents'] = [];

/**
 * The frame's events when one of them is worth announcing, else none: the region does not
 * even update for counts, revenue or recalculations. The epoch too: the region learns where
 * announcing starts as soon as a dashboard arrives. The status changes a few times a session.
 */
const select = ({ recentEvents, snapshot, status }: DashboardState) => ({
  news: recentEvents.some((e) => e.priority === 'high') ? recentEvents : NO_NEWS,
  epoch: snapshot?.epoch,
  status,
});

/**
 * News waits until none came for this long. A burst the server sends at once reaches the
 * page over several animation frames (five messages took about 60 ms), and a screen reader
 * reads every change of the region: a burst is gathered before it is summed up. Half a
 * second covers a burst with room to spare and still feels immediate.
 */
const QUIET_MS = 500;
/**
 * News waits no longer than this after the first of it: a steady stream never goes quiet,
 * yet is still announced every 2 s, about the time one sentence takes to read, so
 * announcements neither queue up nor stop.
 */
const CEILING_MS = 2000;
/** How often the shared clock looks at waiting news: an announcement is at most this late. */
const WAIT_STEP_MS = 100;

/** The events that are news, by kind, each with its name for a burst. */
const NEWS: Readonly<Partial<Record<EventKind, string>>> = {
  'consultation.booked': 'bookings',
  'message.received': 'messages',
};

/** What a change of connection says; `live` is said only after one of the others. */
const CONNECTION: Partial<Record<ConnectionStatus, string>> = {
  offline: 'Offline: updates paused',
  stale: 'Updates delayed',
  expired: 'Session expired: sign in again',
};

/**
 * One announcement: English words, and words and numbers in the consultant's language, marked
 * with it so that a screen reader reads them in that language ("Heute, 14:30", "١٢").
 */
type Announcement = (string | { lang: string; textContent: string })[];

const localized = (format: Formatter, textContent: string) => ({ lang: format.locale, textContent });

/** One kind of news heard and not yet announced: how much, and the first two sentences. */
interface Heard {
  count: number;
  readonly name: string;
  /** Written when told: a page in the background may tell "Tomorrow, 9:00 AM" the next day. */
  readonly said: (() => Announcement)[];
  /** The consultant's formats, for the count of a burst. */
  readonly format: Formatter;
}

/**
 * @summary The one polite live region of a dashboard. It announces new messages and new
 * bookings (the high-priority events) and changes of the connection, and nothing else:
 * counts, revenue and recalculations are shown without interrupting a screen-reader user.
 *
 * News is gathered while it keeps coming and announced once, half a second after the last
 * of it (at most 2 s after the first, so a steady stream is still heard): one or two of a
 * kind are read out ("New message from The Kim family"), more are summed up
 * ("5 new messages", "3 new bookings"). What the dashboard held when the region first saw
 * it, what came while the region was off the page, and a reloaded history, are not news.
 * News that came while the page was in the background (where screen readers do not read a
 * live region) waits, and is announced once the page is shown.
 *
 * The connection is announced once per change: "Offline: updates paused", "Updates delayed",
 * "Session expired: sign in again", then "Back online" or "Updates resumed" once it is live
 * again. Connecting and a brief reconnection are not announced.
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
  /** Joined only while news waits, to announce it when its time comes. */
  private readonly _clock = new ClockController(this, 0);

  /** The slice last read: the clock updates the region too, and an update reads each slice once. */
  private _seen: ReturnType<typeof select> | undefined;
  /**
   * Where announcing resumes: events at or before it were already read, or predate this page.
   * `null` once the region has seen the client without a dashboard: then the first dashboard's
   * own events are news, even when they reach the page in the frame that brings the dashboard.
   */
  private _cursor: { epoch: string; seq: number } | null | undefined;
  /** News waiting to be announced, by kind, in the order it came. */
  private readonly _heard = new Map<EventKind, Heard>();
  /** When the first and the latest of the waiting news came (the shared clock's time). */
  private _firstAt = 0;
  private _lastAt = 0;
  /** The connection as last told (or first seen): `reconnecting` does not count. */
  private _connection: ConnectionStatus | undefined;
  /** What the coming update announces. */
  private _batch: Announcement[] = [];

  /** When the region was last taken off the page. */
  private _leftAt: number | undefined;
  /** The client last followed; another one (another consultant) starts the region afresh. */
  private _client: DashboardClient | undefined;
  /** What the region says is to go, with nothing new to say. */
  private _wipe = false;

  override connectedCallback(): void {
    super.connectedCallback();
    // Back on the page after a while away: what the dashboard holds now came while the region
    // was away (the store keeps its last frame's events) and is history; so is news that
    // waited, which had the region stayed would have been told by now. A region moved (off
    // and on again in a moment) keeps listening where it was: news it has yet to hear is news.
    if (this._leftAt === undefined || this._clock.now - this._leftAt <= CEILING_MS) return;
    const snapshot = this._view.state.snapshot;
    if (snapshot) this._cursor = { epoch: snapshot.epoch, seq: snapshot.seq };
    this._heard.clear();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this._leftAt = this._clock.now;
  }

  protected override willUpdate(): void {
    const time = this._clock.now;
    const view = this._view.value;
    if (this._view.client !== this._client) {
      // Another client, for another consultant or a session begun afresh: nothing heard or
      // said for the last one is told, or left to be read, once the page shows this one's.
      if (this._client) {
        this._heard.clear();
        this._batch = [];
        this._cursor = this._connection = undefined;
        this._wipe = true;
      }
      this._client = this._view.client;
    }
    if (view !== this._seen) {
      this._seen = view;
      this._hear(view.news, time);
      if (this._view.client) this._follow(view.status);
    }
    // A page in the background keeps its news until it is shown: screen readers do not read it there.
    if (
      this._heard.size &&
      document.visibilityState !== 'hidden' &&
      (time - this._lastAt >= QUIET_MS || time - this._firstAt >= CEILING_MS)
    ) {
      this._batch.push(
        ...[...this._heard.values()].flatMap(({ count, name, said, format }) =>
          count > 2 ? [[localized(format, format.count(count)), ` new ${name}`]] : said.map((say) => say()),
        ),
      );
      this._heard.clear();
    }
    this._clock.granularity = this._heard.size ? WAIT_STEP_MS : 0;
  }

  override render() {
    return html`<div class="vh" part="base" role="status" aria-live="polite" aria-atomic="false"></div>`;
  }

  protected override updated(): void {
    if (!this._batch.length && !this._wipe) return;
    this._wipe = false;
    // The new batch replaces the old one, as new paragraphs: additions are read, removals are
    // not, and no announcement ever moves (so the region causes no layout shift, even hidden).
    this.renderRoot.querySelector('[role=status]')!.replaceChildren(
      ...this._batch.map((parts) => {
        const paragraph = document.createElement('p');
        paragraph.append(
          ...parts.map((part) =>
            typeof part === 'string' ? part : Object.assign(document.createElement('span'), part),
          ),
        );
        return paragraph;
      }),
    );
    this._batch = [];
  }

  /** Adds the news among `events` to what waits. */
  private _hear(events: readonly AppliedEvent[], time: number): void {
    const snapshot = this._view.state.snapshot;
    if (!snapshot) {
      this._cursor ??= null;
      return;
    }
    const cursor = this._cursor === null ? { epoch: snapshot.epoch, seq: 0 } : this._cursor;
    this._cursor = { epoch: snapshot.epoch, seq: snapshot.seq };
    // A dashboard that was there when the region came, or a new event log: history is not news.
    if (cursor?.epoch !== snapshot.epoch) return;
    const format = this._format.for(snapshot.consultant);
    for (const event of events) {
      const name = NEWS[event.kind];
      if (!name || event.seq <= cursor.seq || event.priority !== 'high') continue;
      if (!this._heard.size) this._firstAt = time;
      this._lastAt = time;
      let heard = this._heard.get(event.kind);
      if (!heard) this._heard.set(event.kind, (heard = { count: 0, name, said: [], format }));
      // Only one or two of a kind are read out: a burst needs no sentences.
      if (++heard.count <= 2) heard.said.push(this._sentence(event, snapshot, format));
    }
  }

  private _sentence(
    { kind, subject }: AppliedEvent,
    snapshot: Snapshot,
    format: Formatter,
  ): () => Announcement {
    if (kind === 'message.received') {
      const item = snapshot.recentMessages.find((m) => m.id === subject.id);
      return () => [item ? `New message from ${item.familyName}` : 'New message'];
    }
    // Past the first five upcoming, the event itself says who and when.
    const { familyName, startsAt } = snapshot.upcoming.find((i) => i.id === subject.id) ?? subject;
    return () =>
      familyName && startsAt
        ? [
            `New booking: ${familyName}, `,
            localized(format, format.dayAndTime(startsAt, this._view.serverTime(this._clock.now))),
          ]
        : ['New consultation booked'];
  }

  /** Announces a change of connection worth telling, once: not the first status seen. */
  private _follow(status: ConnectionStatus): void {
    const before = this._connection;
    // A reconnection is brief, and a trouble is not over until the status is live again.
    if (status === 'reconnecting' || status === before) return;
    this._connection = status;
    if (!before) return;
    const said =
      status === 'live'
        ? CONNECTION[before] && (before === 'offline' ? 'Back online' : 'Updates resumed')
        : CONNECTION[status];
    if (said) this._batch.push([said]);
  }
}
