/**
 * The CDN bundle's entry (`dist/cdn/fg-dashboard.js`, one file with everything, Lit included,
 * for one `<script type="module">`): every element defined, all the package exports, and the
 * client's factories.
 */
import './define/fg-completed-count.js';
import './define/fg-connection-status.js';
import './define/fg-dashboard-provider.js';
import './define/fg-dashboard.js';
import './define/fg-live-region.js';
import './define/fg-recent-messages.js';
import './define/fg-stats-cards.js';
import './define/fg-tasks-badge.js';
import './define/fg-unread-badge.js';
import './define/fg-upcoming-list.js';
import './define/fg-welcome-banner.js';
export * from './index.js';
export { createDashboardClient, createDashboardStore } from '@fg/realtime';
