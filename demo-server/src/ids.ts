import { randomBytes } from 'node:crypto';

/** A random id with a readable prefix, e.g. `k-3fZ9xQ2aLw`. Safe in URLs and SSE ids. */
export function newId(prefix: string): string {
  return `${prefix}-${randomBytes(8).toString('base64url')}`;
}

/** A fresh event-log name: `[A-Za-z0-9_-]`, no `:` (it is joined with seq in SSE ids). */
export function newEpoch(): string {
  return randomBytes(9).toString('base64url');
}
