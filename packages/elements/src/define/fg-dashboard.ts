import { FgDashboard } from '../dashboard/dashboard.js';
// Every widget the dashboard lays out, the provider first.
import './fg-dashboard-provider.js';
import './fg-welcome-banner.js';
import './fg-connection-status.js';
import './fg-tasks-badge.js';
import './fg-unread-badge.js';
import './fg-completed-count.js';
import './fg-stats-cards.js';
import './fg-upcoming-list.js';
import './fg-recent-messages.js';
import './fg-live-region.js';
if (!customElements.get('fg-dashboard')) customElements.define('fg-dashboard', FgDashboard);

declare global {
  interface HTMLElementTagNameMap {
    'fg-dashboard': FgDashboard;
  }
}
