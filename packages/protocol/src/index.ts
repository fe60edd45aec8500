export * from './frames.js';
export * from './requests.js';
