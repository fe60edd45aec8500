/**
 * `@fg/protocol/frames`, the clients' entry point: constants, the frame schemas and the
 * parsers, without the request bodies only the server reads.
 */
import * as v from 'valibot';
import { ClientFrameSchema, CursorSchema, ServerFrameSchema } from './schemas.js';
import type { ClientFrame, Cursor, ServerFrame } from './types.js';

export * from './constants.js';
export * from './schemas.js';
export type * from './types.js';

export type ParseResult<T> = { ok: true; value: T } | { ok: false; error: string };

/** Parses and validates JSON text against a schema; never throws. */
export function parseJson<S extends v.GenericSchema>(schema: S, text: string): ParseResult<v.InferOutput<S>> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { ok: false, error: 'malformed JSON' };
  }
  return validate(schema, raw);
}

/** Validates a decoded value against a schema; never throws. */
export function validate<S extends v.GenericSchema>(schema: S, raw: unknown): ParseResult<v.InferOutput<S>> {
  const result = v.safeParse(schema, raw);
  if (result.success) return { ok: true, value: result.output };
  const issue = result.issues[0];
  const path = issue.path?.map((p) => String(p.key)).join('.') ?? '';
  return { ok: false, error: path ? `${path}: ${issue.message}` : issue.message };
}

export const parseServerFrame = (text: string): ParseResult<ServerFrame> =>
  parseJson(ServerFrameSchema, text);
export const parseClientFrame = (text: string): ParseResult<ClientFrame> =>
  parseJson(ClientFrameSchema, text);

/** `<epoch>:<seq>`, the SSE `id` and `Last-Event-ID` form of a cursor. */
export function formatCursor(cursor: Cursor): string {
  return `${cursor.epoch}:${cursor.seq}`;
}

export function parseCursor(text: string | null | undefined): Cursor | null {
  if (!text) return null;
  const at = text.lastIndexOf(':');
  if (at <= 0) return null;
  const seqText = text.slice(at + 1);
  if (!/^\d{1,15}$/.test(seqText)) return null;
  const result = v.safeParse(CursorSchema, { epoch: text.slice(0, at), seq: Number(seqText) });
  return result.success ? result.output : null;
}
