/**
 * The CDN bundle's entry (`dist/cdn/fg-dashboard.js`, one file with everything, Lit included,
 * for one `<script type="module">`): every element defined, all the package exports, and the
 * client's factories.
 */
// The provider first, as in every define module, and the dashboard last. This order is also
// the bundle's: the client's code, then the widgets that read the same data (events, lists,
// counts) side by side, which compresses best (about 200 B of gzip less than alphabetical order).
import './define/fg-dashboard-provider.js';
import './define/fg-live-region.js';
import './define/fg-upcoming-list.js';
import './define/fg-recent-messages.js';
import './define/fg-stats-cards.js';
import './define/fg-welcome-banner.js';
import './define/fg-completed-count.js';
import './define/fg-tasks-badge.js';
import './define/fg-unread-badge.js';
import './define/fg-connection-status.js';
import './define/fg-dashboard.js';
export * from './index.js';
export { createDashboardClient, createDashboardStore } from '@fg/realtime';
