// Type-checked against the installed packages' declarations, as a TypeScript user compiles.
import { CloseCode, type Snapshot } from '@fg/protocol';
import type { MessageItem } from '@fg/protocol/frames';
import { createDashboardStore, type DashboardClient } from '@fg/realtime';
import { FgDashboardProvider, type FgMarkReadEvent } from '@fg/dashboard-elements';
import '@fg/dashboard-elements/define/fg-dashboard.js';
import { FgDashboard, FgRecentMessages } from '@fg/react';
import * as cdn from '@fg/dashboard-elements/cdn/fg-dashboard.js';

export const client: DashboardClient = createDashboardStore();
export const code: 4401 = CloseCode.unauthenticated;
export const provider: FgDashboardProvider = document.createElement('fg-dashboard-provider');
export const onMarkRead = (event: FgMarkReadEvent): string => event.detail.messageId;
export const components = [FgDashboard, FgRecentMessages];
export type Seq = Snapshot['seq'];
export type Preview = MessageItem['preview'];
// The CDN bundle's module is typed as what it holds: the elements and the factories.
export const fromCdn: DashboardClient = cdn.createDashboardClient({
  endpoint: 'https://fg.example',
  getToken: () => null,
});
export type CdnList = cdn.FgUpcomingList;
