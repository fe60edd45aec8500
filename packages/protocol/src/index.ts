export * from './constants.js';
export * from './schemas.js';
export * from './frames.js';
export type * from './types.js';
