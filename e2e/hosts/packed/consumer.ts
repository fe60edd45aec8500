// Type-checked against the installed packages' declarations, as a TypeScript user compiles.
import { CloseCode, type Snapshot } from '@fg/protocol';
import type { MessageItem } from '@fg/protocol/frames';
import { createDashboardStore, type DashboardClient } from '@fg/realtime';
import { FgDashboardProvider, type FgMarkReadEvent } from '@fg/dashboard-elements';
import '@fg/dashboard-elements/define/fg-dashboard.js';
import { FgDashboard, FgRecentMessages } from '@fg/react';

export const client: DashboardClient = createDashboardStore();
export const code: 4401 = CloseCode.unauthenticated;
export const provider: FgDashboardProvider = document.createElement('fg-dashboard-provider');
export const onMarkRead = (event: FgMarkReadEvent): string => event.detail.messageId;
export const components = [FgDashboard, FgRecentMessages];
export type Seq = Snapshot['seq'];
export type Preview = MessageItem['preview'];
