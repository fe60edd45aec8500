'use client';
/**
 * @fg/react: every FG Live element as a React component, with its properties typed from
 * the element class and its `fg-` events as `onFg…` props. Importing this module defines
 * the tags (once per page, whichever copy of the library comes first).
 */
import * as React from 'react';
import { createComponent, type EventName } from '@lit/react';
import {
  FgCompletedCount as FgCompletedCountElement,
  FgConnectionStatus as FgConnectionStatusElement,
  FgDashboard as FgDashboardElement,
  FgDashboardProvider as FgDashboardProviderElement,
  FgLiveRegion as FgLiveRegionElement,
  FgRecentMessages as FgRecentMessagesElement,
  FgStatsCards as FgStatsCardsElement,
  FgTasksBadge as FgTasksBadgeElement,
  FgUnreadBadge as FgUnreadBadgeElement,
  FgUpcomingList as FgUpcomingListElement,
  FgWelcomeBanner as FgWelcomeBannerElement,
  type FgMarkReadEvent,
} from '@fg/dashboard-elements';
import type { ClientErrorDetail, SessionExpiredDetail } from '@fg/realtime';
import '@fg/dashboard-elements/define/fg-dashboard.js';

/**
 * The class `tag` is defined with: this copy's, or another copy's that came first. Its
 * properties are the ones React sets as properties (a class that was never defined has none
 * yet: Lit makes them when a class is defined), so `getToken` or `items` never become
 * attributes. Without `customElements` (rendering on a server), this copy's.
 */
const defined = <T extends CustomElementConstructor>(tag: string, own: T): T =>
  (globalThis.customElements?.get(tag) as T | undefined) ?? own;

export type FgErrorEvent = CustomEvent<ClientErrorDetail>;
export type FgSessionExpiredEvent = CustomEvent<SessionExpiredDetail>;
export type { FgMarkReadEvent };

/**
 * Connects the widgets inside it to a backend. Pass `endpoint` with `token` or `getToken`,
 * or a ready `client`. `onFgSessionExpired` can call `event.preventDefault()` to handle the
 * sign-in itself instead of going to `loginUrl`.
 */
export const FgDashboardProvider = createComponent({
  react: React,
  tagName: 'fg-dashboard-provider',
  elementClass: defined('fg-dashboard-provider', FgDashboardProviderElement),
  displayName: 'FgDashboardProvider',
  events: {
    onFgSessionExpired: 'fg-session-expired' as EventName<FgSessionExpiredEvent>,
    onFgError: 'fg-error' as EventName<FgErrorEvent>,
  },
});

/** The whole dashboard, laid out for the space it gets. Its widgets' events bubble out of it. */
export const FgDashboard = createComponent({
  react: React,
  tagName: 'fg-dashboard',
  elementClass: defined('fg-dashboard', FgDashboardElement),
  displayName: 'FgDashboard',
  events: {
    onFgMarkRead: 'fg-mark-read' as EventName<FgMarkReadEvent>,
    onFgError: 'fg-error' as EventName<FgErrorEvent>,
  },
});

/** A region named "Welcome": greeting, upcoming and active counts, this month's revenue. */
export const FgWelcomeBanner = createComponent({
  react: React,
  tagName: 'fg-welcome-banner',
  elementClass: defined('fg-welcome-banner', FgWelcomeBannerElement),
  displayName: 'FgWelcomeBanner',
});

/** Family Clients, Active Consultations, Completed Consultations, Monthly Revenue. */
export const FgStatsCards = createComponent({
  react: React,
  tagName: 'fg-stats-cards',
  elementClass: defined('fg-stats-cards', FgStatsCardsElement),
  displayName: 'FgStatsCards',
});

/** The list "Upcoming Consultations" (first five). */
export const FgUpcomingList = createComponent({
  react: React,
  tagName: 'fg-upcoming-list',
  elementClass: defined('fg-upcoming-list', FgUpcomingListElement),
  displayName: 'FgUpcomingList',
});

/**
 * The list "Recent Messages" (first three). `onFgMarkRead` runs before a message is marked
 * read; `event.preventDefault()` cancels it.
 */
export const FgRecentMessages = createComponent({
  react: React,
  tagName: 'fg-recent-messages',
  elementClass: defined('fg-recent-messages', FgRecentMessagesElement),
  displayName: 'FgRecentMessages',
  events: {
    onFgMarkRead: 'fg-mark-read' as EventName<FgMarkReadEvent>,
    onFgError: 'fg-error' as EventName<FgErrorEvent>,
  },
});

/** "Tasks due today: N". */
export const FgTasksBadge = createComponent({
  react: React,
  tagName: 'fg-tasks-badge',
  elementClass: defined('fg-tasks-badge', FgTasksBadgeElement),
  displayName: 'FgTasksBadge',
});

/** "Unread messages: N". */
export const FgUnreadBadge = createComponent({
  react: React,
  tagName: 'fg-unread-badge',
  elementClass: defined('fg-unread-badge', FgUnreadBadgeElement),
  displayName: 'FgUnreadBadge',
});

/** "Completed consultations: N". */
export const FgCompletedCount = createComponent({
  react: React,
  tagName: 'fg-completed-count',
  elementClass: defined('fg-completed-count', FgCompletedCountElement),
  displayName: 'FgCompletedCount',
});

/** Live, Reconnecting…, Updates delayed, Offline or Session expired. */
export const FgConnectionStatus = createComponent({
  react: React,
  tagName: 'fg-connection-status',
  elementClass: defined('fg-connection-status', FgConnectionStatusElement),
  displayName: 'FgConnectionStatus',
});

/** The one polite live region; `<FgDashboard>` has one already. */
export const FgLiveRegion = createComponent({
  react: React,
  tagName: 'fg-live-region',
  elementClass: defined('fg-live-region', FgLiveRegionElement),
  displayName: 'FgLiveRegion',
});
