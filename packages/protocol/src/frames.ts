/**
 * `@fg/protocol/frames`, the clients' entry point: the constants, the types and the frame
 * decoders, with no dependency. The valibot schemas and the request bodies, which servers
 * and tests use, come from `@fg/protocol`.
 */
export * from './constants.js';
export * from './decode.js';
export type * from './types.js';
