import { LitElement, html } from 'lit';
import { widgetStyles } from '../styles.js';
import { dashboardStyles } from './dashboard.styles.js';

const badge = 'base icon label count';
/** Each widget's parts, by the widget's own part. */
const widgetParts: Record<string, string> = {
  banner: 'base greeting name facts fact fact-upcoming fact-active fact-revenue value label',
  'connection-status': 'base indicator label detail login-link',
  'tasks-badge': badge,
  'unread-badge': badge,
  'completed-count': badge,
  stats: 'base card card-family-clients card-active card-completed card-revenue label value',
  upcoming:
    'base heading scroller list item item-active family title time relative status status-scheduled status-active empty',
  messages:
    'base heading scroller list item item-unread unread-marker family time preview mark-read mark-read-failed empty',
};

/** The `exportparts` of the widget whose part is `widget`: each of its parts as `widget-part`. */
const exported = (widget: string) =>
  widgetParts[widget]!.split(' ')
    .map((part) => `${part}:${widget}-${part}`)
    .join();

/**
 * @summary The whole dashboard, laid out for the space it gets (by container queries, so it
 * fits a sidebar as well as a full page): the welcome banner, the connection status and
 * badges, the four stat cards, upcoming consultations and recent messages, and the one
 * polite live region that announces new messages and bookings and changes of connection.
 *
 * Place it inside `<fg-dashboard-provider>`. Importing its `define` module defines every
 * widget it uses.
 *
 * @fires {FgMarkReadEvent} fg-mark-read - From its recent messages, before a message is marked
 * read (cancelable; `detail.messageId`).
 * @fires {CustomEvent<ClientErrorDetail>} fg-error - From its widgets, e.g. when marking a
 * message read failed.
 *
 * @csspart base - The layout grid.
 * @csspart banner - The `<fg-welcome-banner>`.
 * @csspart bar - The row with the connection status and the badges.
 * @csspart connection-status - The `<fg-connection-status>`.
 * @csspart tasks-badge - The `<fg-tasks-badge>`.
 * @csspart unread-badge - The `<fg-unread-badge>`.
 * @csspart completed-count - The `<fg-completed-count>`.
 * @csspart stats - The `<fg-stats-cards>`.
 * @csspart upcoming - The `<fg-upcoming-list>`.
 * @csspart messages - The `<fg-recent-messages>`.
 *
 * Every part of each widget is exported too, named by the widget's part, a hyphen and its
 * own: `::part(stats-card-revenue)` is the stats cards' `card-revenue`,
 * `::part(upcoming-status-active)` the upcoming list's `status-active`,
 * `::part(tasks-badge-count)` the tasks badge's `count`.
 *
 * @cssproperty --fg-dashboard-gap - Space between the widgets.
 */
export class FgDashboard extends LitElement {
  static override styles = [widgetStyles, dashboardStyles];

  override render() {
    return html`
      <div class="layout" part="base">
        <fg-welcome-banner class="banner" part="banner" exportparts=${exported('banner')}></fg-welcome-banner>
        <div class="bar" part="bar">
          <fg-connection-status
            class="status"
            part="connection-status"
            exportparts=${exported('connection-status')}
          ></fg-connection-status>
          <div class="badges">
            <fg-tasks-badge part="tasks-badge" exportparts=${exported('tasks-badge')}></fg-tasks-badge>
            <fg-unread-badge part="unread-badge" exportparts=${exported('unread-badge')}></fg-unread-badge>
            <fg-completed-count
              part="completed-count"
              exportparts=${exported('completed-count')}
            ></fg-completed-count>
          </div>
        </div>
        <fg-stats-cards class="stats" part="stats" exportparts=${exported('stats')}></fg-stats-cards>
        <fg-upcoming-list part="upcoming" exportparts=${exported('upcoming')}></fg-upcoming-list>
        <fg-recent-messages
          class="messages"
          part="messages"
          exportparts=${exported('messages')}
        ></fg-recent-messages>
        <fg-live-region></fg-live-region>
      </div>
    `;
  }
}
