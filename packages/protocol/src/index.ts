export * from './frames.js';
export * from './schemas.js';
export * from './validate.js';
export * from './requests.js';
