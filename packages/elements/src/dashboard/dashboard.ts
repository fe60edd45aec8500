import { LitElement, html } from 'lit';
import { widgetStyles } from '../styles.js';
import { dashboardStyles } from './dashboard.styles.js';

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
 * @cssproperty --fg-dashboard-gap - Space between the widgets.
 */
export class FgDashboard extends LitElement {
  static override styles = [widgetStyles, dashboardStyles];

  override render() {
    return html`
      <div class="layout" part="base">
        <fg-welcome-banner class="banner" part="banner"></fg-welcome-banner>
        <div class="bar" part="bar">
          <fg-connection-status class="status" part="connection-status"></fg-connection-status>
          <div class="badges">
            <fg-tasks-badge part="tasks-badge"></fg-tasks-badge>
            <fg-unread-badge part="unread-badge"></fg-unread-badge>
            <fg-completed-count part="completed-count"></fg-completed-count>
          </div>
        </div>
        <fg-stats-cards class="stats" part="stats"></fg-stats-cards>
        <fg-upcoming-list part="upcoming"></fg-upcoming-list>
        <fg-recent-messages class="messages" part="messages"></fg-recent-messages>
        <fg-live-region></fg-live-region>
      </div>
    `;
  }
}
