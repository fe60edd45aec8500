import { LitElement, html, nothing, type PropertyValues } from 'lit';
import { property, query } from 'lit/decorators.js';
import { classMap } from 'lit/directives/class-map.js';
import { repeat } from 'lit/directives/repeat.js';
import { styleMap } from 'lit/directives/style-map.js';
import { Limits, type UpcomingItem } from '@fg/protocol/frames';
import type { DashboardState } from '@fg/realtime';
import { ClockController, FormatController, type Formatter } from '../format.js';
import { ListMotionController } from '../list-motion.js';
import { StoreController, freshnessOf, shallowEqual } from '../store-controller.js';
import { listStyles, widgetStyles } from '../styles.js';
import { highPriorityIds } from '../templates.js';
import { upcomingListStyles } from './upcoming-list.styles.js';

const select = (state: DashboardState) => ({
  consultant: state.snapshot?.consultant,
  upcoming: state.snapshot?.upcoming,
  freshness: freshnessOf(state.status),
});

const SKELETON_ROWS = Array.from({ length: Limits.upcomingItems }, (_, i) => i);

/**
 * @summary The next consultations, soonest first (the first five), each with its family,
 * time and status ("Scheduled" or "Active"). A list named "Upcoming Consultations".
 *
 * New bookings fade in with a brief highlight; a list the person scrolled keeps what they
 * see when consultations are added above it.
 *
 * @csspart base - The card around the list.
 * @csspart heading - The heading "Upcoming Consultations".
 * @csspart scroller - The scrolling box around the list, of reserved height.
 * @csspart list - The list.
 * @csspart item - A consultation; also `item-active` while it runs.
 * @csspart family - The family's name.
 * @csspart title - The consultation's title.
 * @csspart time - When it starts.
 * @csspart relative - How soon it starts, or how soon an active one ends.
 * @csspart status - "Scheduled" or "Active"; also `status-scheduled`, `status-active`.
 * @csspart empty - What shows when nothing is upcoming.
 *
 * @cssproperty --fg-upcoming-list-background - Defaults to `--fg-color-surface`.
 * @cssproperty --fg-upcoming-list-row-height - Height of every row (rows never change size).
 * @cssproperty --fg-upcoming-list-height - Height of the scroller; five rows by default.
 * @cssproperty --fg-upcoming-list-active-background - Status chip of an active consultation; defaults to `--fg-color-success`.
 * @cssproperty --fg-upcoming-list-active-color - Defaults to `--fg-color-on-accent`.
 * @cssproperty --fg-upcoming-list-scheduled-background - Defaults to `--fg-color-surface-sunken`.
 * @cssproperty --fg-upcoming-list-scheduled-color - Defaults to `--fg-color-text-muted`.
 */
export class FgUpcomingList extends LitElement {
  static override styles = [widgetStyles, listStyles, upcomingListStyles];

  private readonly view = new StoreController(this, select, shallowEqual, () => this.motion.measure());
  private readonly format = new FormatController(this);
  private readonly clock = new ClockController(this, 30_000);
  private readonly motion = new ListMotionController(this, () => this.scroller);

  /**
   * Consultations to show instead of the dashboard's, for a host that brings its own data
   * (the dashboard's list holds at most five; this one is not cut).
   */
  @property({ attribute: false }) items: readonly UpcomingItem[] | undefined;

  @query('.scroller') private readonly scroller!: HTMLElement | null;

  protected override willUpdate(_changed: PropertyValues<this>): void {
    this.motion.items = this.shown();
    this.motion.ready = this.motion.items !== undefined;
    this.motion.highlight = highPriorityIds(this.view.state.recentEvents, 'consultation.booked');
  }

  override render() {
    const { consultant, freshness } = this.view.value;
    const items = this.shown();
    const format = this.format.for(consultant);
    const now = this.clock.now;
    return html`
      <div part="base" class=${classMap({ card: true, dimmed: freshness !== 'fresh' })}>
        <h2 id="heading" part="heading">Upcoming Consultations</h2>
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
              (item, index) => this.renderItem(item, index, format, now),
            )}
          </div>
          ${items ? this.renderEmpty(items.length) : this.renderSkeleton()}
        </div>
      </div>
    `;
  }

  private shown(): readonly UpcomingItem[] | undefined {
    return this.items ?? this.view.value.upcoming;
  }

  private renderItem(item: UpcomingItem, index: number, format: Formatter, now: number) {
    const active = item.status === 'active';
    return html`
      <div
        role="listitem"
        part="item ${active ? 'item-active' : ''}"
        data-key=${item.id}
        style=${styleMap({ '--_i': String(index) })}
      >
        <span class="ellipsis"
          ><span class="family" part="family">${item.familyName}</span>
          <span class="title" part="title">· ${item.title}</span></span
        >
        <span class="when ellipsis"
          ><time part="time" datetime=${item.startsAt}>${format.dayAndTime(item.startsAt, now)}</time> ·
          <span part="relative"
            >${
              active ? `ends ${format.relative(item.endsAt, now)}` : format.relative(item.startsAt, now)
            }</span
          ></span
        >
        <span class=${classMap({ status: true, active })} part="status status-${item.status}"
          >${active ? 'Active' : 'Scheduled'}</span
        >
      </div>
    `;
  }

  private renderEmpty(count: number) {
    if (count > 0) return nothing;
    return html`<p class="empty muted" part="empty">No upcoming consultations</p>`;
  }

  private renderSkeleton() {
    return html`<div aria-hidden="true">
      ${SKELETON_ROWS.map(() => html`<div class="row"><span class="skeleton"></span><span class="skeleton"></span></div>`)}
    </div>`;
  }
}
