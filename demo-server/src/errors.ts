import { ErrorCode } from '@fg/protocol';

/**
 * An error that becomes an HTTP answer `{error: code, message}` with `status`. Thrown inside
 * a write transaction, it also rolls the transaction back, so a refused action changes nothing.
 */
export class AppError extends Error {
  constructor(
    readonly status: 400 | 401 | 403 | 404 | 405 | 413 | 429 | 500 | 503,
    readonly code: string,
    message: string,
    readonly extra: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export const badRequest = (message: string, extra?: Record<string, unknown>): AppError =>
  new AppError(400, ErrorCode.malformed, message, extra);

/** Also used for another consultant's data: it does not exist for the caller. */
export const notFound = (message: string): AppError => new AppError(404, ErrorCode.notFound, message);

/**
 * The database is locked by another writer, or cannot be reached; the transaction was rolled
 * back (or never began), so nothing was written.
 */
export const busy = (
  message = 'The database is busy; nothing was written. Retry shortly.',
  retryAfterSeconds = 1,
): AppError => new AppError(503, ErrorCode.busy, message, {}, { 'Retry-After': String(retryAfterSeconds) });

/** The server stopped while the request waited for a lock; it was never written. */
export const stopping = (): AppError => busy('This server is stopping; nothing was written. Retry shortly.');

export const isUnavailable = (error: unknown): boolean => error instanceof AppError && error.status === 503;

/** better-sqlite3 reports a locked database as SQLITE_BUSY (or one of its extended codes). */
export function isBusyError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'));
}
