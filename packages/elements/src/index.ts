/**
 * @fg/dashboard-elements: the widget classes, their context and store controller. Importing
 * this module defines no tag; import `@fg/dashboard-elements/define/fg-dashboard.js` (or
 * one widget's define module) for that.
 */
export { dashboardClientContext, dashboardSettingsContext, type DashboardSettings } from './context.js';
export {
  StoreController,
  EMPTY_STATE,
  shallowEqual,
  freshnessOf,
  type Freshness,
} from './store-controller.js';
export { Formatter, FormatController, ClockController, setClock, tick, now } from './format.js';
export { FgDashboardProvider } from './provider/provider.js';
export { FgDashboard } from './dashboard/dashboard.js';
export { FgWelcomeBanner } from './welcome-banner/welcome-banner.js';
export { FgStatsCards } from './stats-cards/stats-cards.js';
export { FgUpcomingList } from './upcoming-list/upcoming-list.js';
export { FgRecentMessages, FgMarkReadEvent, type MarkReadDetail } from './recent-messages/recent-messages.js';
export { FgTasksBadge } from './tasks-badge/tasks-badge.js';
export { FgUnreadBadge } from './unread-badge/unread-badge.js';
export { FgCompletedCount } from './completed-count/completed-count.js';
export { FgConnectionStatus } from './connection-status/connection-status.js';
export { FgLiveRegion } from './live-region/live-region.js';
