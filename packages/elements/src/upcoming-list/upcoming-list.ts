import { html } from 'lit';
import { Limits, type UpcomingItem } from '@fg/protocol/frames';
import type { Formatter } from '../format.js';
import { ListElement } from '../list.js';
import { listStyles, widgetStyles } from '../styles.js';
import { upcomingListStyles } from './upcoming-list.styles.js';

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
 * @csspart item - A consultation.
 * @csspart item-active - A consultation while it runs (also `item`).
 * @csspart family - The family's name.
 * @csspart title - The consultation's title.
 * @csspart time - When it starts.
 * @csspart relative - How soon it starts, or how soon an active one ends.
 * @csspart status - "Scheduled" or "Active".
 * @csspart status-scheduled - The status of a consultation yet to start (also `status`).
 * @csspart status-active - The status of a consultation that runs (also `status`).
 * @csspart empty - What shows when nothing is upcoming.
 *
 * @cssproperty --fg-upcoming-list-background - Defaults to `--fg-color-surface`.
 * @cssproperty --fg-upcoming-list-row-height - Height of every row (rows never change size with
 *   their data): 3.75rem; 4.75rem in a list narrower than 30rem, where the family and title
 *   may take two lines beside the status and the time runs under them (1.25rem more under a
 *   reader's line height, for a second line of the time); 9.5rem below 20rem,
 *   where the family and title may take three lines, the status one, and the time two.
 * @cssproperty --fg-upcoming-list-height - Height of the scroller; five rows by default.
 * @cssproperty --fg-upcoming-list-active-background - Status chip of an active consultation; defaults to `--fg-color-success`.
 * @cssproperty --fg-upcoming-list-active-color - Defaults to `--fg-color-on-accent`.
 * @cssproperty --fg-upcoming-list-scheduled-background - Defaults to `--fg-color-surface-sunken`.
 * @cssproperty --fg-upcoming-list-scheduled-color - Defaults to `--fg-color-text-muted`.
 */
export class FgUpcomingList extends ListElement<UpcomingItem> {
  static override styles = [widgetStyles, listStyles, upcomingListStyles];

  /**
   * Consultations to show instead of the dashboard's, for a host that brings its own data
   * (the dashboard's list holds at most five; this one is not cut).
   */
  declare items: readonly UpcomingItem[] | undefined;

  protected readonly _heading = 'Upcoming Consultations';
  protected readonly _emptyText = 'No upcoming consultations';
  protected readonly _skeletonRows = Limits.upcomingItems;
  protected readonly _flashKind = 'consultation.booked';
  // The title follows the family's name, and the time from now the day and time: text of any width.
  protected readonly _rowsAreSlots = false;

  protected _pick(snapshot: { upcoming: readonly UpcomingItem[] }) {
    return snapshot.upcoming;
  }

  protected _renderItem(item: UpcomingItem, format: Formatter, now: number) {
    const active = item.status === 'active';
    return [
      active ? 'item item-active' : 'item',
      // Both lines in their text's own direction: the first by the family's name (`dir=auto` skips
      // the title, which has its own), so an ellipsis cuts the end of a name, never its start.
      html`<span class="ellipsis" dir="auto"
          ><span class="family" part="family">${item.familyName}</span>
          <span class="title" part="title" dir="auto">· ${item.title}</span></span
        >
        <span class="when ellipsis" dir="auto"
          ><time part="time" datetime=${item.startsAt} lang=${format.locale}
            >${format.dayAndTime(item.startsAt, now)}</time
          >
          ·
          <span part="relative"
            >${active ? 'ends ' : ''}<span lang=${format.locale}
              >${format.relative(active ? item.endsAt : item.startsAt, now, true)}</span
            ></span
          ></span
        >
        <span class="status chip" part="status status-${item.status}"
          >${active ? 'Active' : 'Scheduled'}</span
        >`,
    ] as const;
  }
}
