/** Validation against the valibot schemas, for servers and tests: the reference rules. */
import * as v from 'valibot';
import type { ParseResult } from './decode.js';
import { ClientFrameSchema } from './schemas.js';
import type { ClientFrame } from './types.js';

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

export const parseClientFrame = (text: string): ParseResult<ClientFrame> =>
  parseJson(ClientFrameSchema, text);
