export { createDashboardClient } from './client.js';
export type { ClientEnvironment } from './client.js';
export { createDashboardStore } from './store/store.js';
export { tokenSubject } from './auth/token.js';
export { webPage } from './auth/endpoint.js';
export type { DashboardStoreOptions } from './store/store.js';
export type { FrameRequest } from './store/frame-scheduler.js';
export type { Clock, Runtime } from './runtime.js';
export type * from './types.js';
