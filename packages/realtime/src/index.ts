export { createDashboardStore } from './store/store.js';
export type { DashboardStoreOptions } from './store/store.js';
export type { FrameRequest } from './store/frame-scheduler.js';
export type * from './types.js';
