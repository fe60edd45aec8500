/** How the HTTP side reads bodies, checks tokens and answers errors: `{error, message}` always. */
import type { Context } from 'hono';
import { ErrorCode, validate } from '@fg/protocol';
import type * as v from 'valibot';
import type { Auth, AuthResult, Principal } from '../auth.js';
import { AppError, badRequest, busy, isBusyError } from '../errors.js';

export const NO_STORE = { 'Cache-Control': 'no-store' } as const;

export function errorBody(code: string, message: string, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ error: code, message, ...extra });
}

export function errorResponse(error: AppError): Response {
  return new Response(errorBody(error.code, error.message, error.extra), {
    status: error.status,
    headers: { 'Content-Type': 'application/json; charset=utf-8', ...NO_STORE, ...error.headers },
  });
}

/** Maps anything thrown by a handler to its answer; unexpected errors are logged, not leaked. */
export function toErrorResponse(error: unknown): Response {
  if (error instanceof AppError) return errorResponse(error);
  if (isBusyError(error)) return errorResponse(busy());
  console.error('unhandled error', error);
  return errorResponse(new AppError(500, ErrorCode.internal, 'Internal server error'));
}

export function unauthorized(failure: Extract<AuthResult, { ok: false }>): AppError {
  const code = failure.reason === 'expired' ? ErrorCode.authExpired : ErrorCode.unauthenticated;
  return new AppError(401, code, failure.message, {}, { 'WWW-Authenticate': `Bearer error="invalid_token"` });
}

/** The verified principal of a request's `Authorization` header, or a 401. */
export async function authenticate(c: Context, auth: Auth): Promise<Principal> {
  const result = await auth.verifyHeader(c.req.header('authorization'));
  if (!result.ok) throw unauthorized(result);
  return result.principal;
}

/** The request's JSON body, checked against `schema`; a clear 400 otherwise. */
export async function readJson<S extends v.GenericSchema>(c: Context, schema: S): Promise<v.InferOutput<S>> {
  const raw = await readJsonValue(c);
  const result = validate(schema, raw);
  if (!result.ok) throw badRequest(`Invalid request body: ${result.error}`);
  return result.value;
}

export async function readJsonValue(c: Context): Promise<unknown> {
  const text = await c.req.text();
  if (text.trim() === '') throw badRequest('A JSON request body is required');
  try {
    return JSON.parse(text);
  } catch {
    throw badRequest('The request body is not valid JSON');
  }
}

/** A JSON answer from text already serialised (events and snapshots are never re-serialised). */
export function jsonText(text: string, status = 200): Response {
  return new Response(text, {
    status,
    headers: { 'Content-Type': 'application/json; charset=utf-8', ...NO_STORE },
  });
}
