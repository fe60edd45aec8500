/**
 * The server frames checked by hand, for browsers, where every kilobyte is paid by every
 * page: the same rules as the valibot schemas in `schemas.ts` (which stay the reference,
 * for servers and tests; `decode.test.ts` holds the two to each other) in a fraction of
 * the code. Like valibot's `object`, a decoder returns a fresh value with the known keys
 * only, so unknown fields never reach the state.
 */
import { EVENT_PRIORITY, SUBJECT_TYPES, isDateTime, type Limits } from './constants.js';
import type {
  ConsultationStatus,
  Cursor,
  EventFrame,
  Patch,
  ServerFrame,
  Snapshot,
  Subject,
} from './types.js';

export type ParseResult<T> = { ok: true; value: T } | { ok: false; error: string };

/** Returns the decoded value or throws a TypeError naming the path. */
type Decoder<T> = (value: unknown, path: string) => T;
type Shape<T> = { readonly [K in keyof T]-?: Decoder<T[K]> };

const fail = (path: string, expected: string): never => {
  throw new TypeError(`${path || 'frame'}: expected ${expected}`);
};

/** A leaf: the value as it is when `ok`, else a TypeError naming the path and what was expected. */
const leaf =
  <T>(ok: (value: unknown) => boolean, expected: string): Decoder<T> =>
  (value, path) =>
    ok(value) ? (value as T) : fail(path, expected);

/** Every string rule (length, characters) is one pattern; `[^]` is any UTF-16 unit, as `length` counts. */
const string = <T extends string = string>(pattern: RegExp): Decoder<T> =>
  leaf((value) => typeof value === 'string' && pattern.test(value), `${pattern}`);

const integer = (min = -Infinity): Decoder<number> =>
  leaf((value) => Number.isInteger(value) && (value as number) >= min, `an integer >= ${min}`);

const oneOf = <T extends string>(names: readonly string[]): Decoder<T> =>
  leaf((value) => names.includes(value as string), `one of ${names}`);

/** Strict (unknown keys rejected) and every key optional: the shape of a patch. */
const object =
  <T>(shape: Shape<T>, partialStrict?: boolean): Decoder<T> =>
  (value, path) => {
    if (!value || typeof value !== 'object') return fail(path, 'an object');
    const input = value as Record<string, unknown>;
    const output: Record<string, unknown> = {};
    for (const key in shape) {
      if (partialStrict && input[key] === undefined) continue;
      const decoded = shape[key](input[key], path ? `${path}.${key}` : key);
      // An optional key that is absent stays absent, as in valibot.
      if (decoded !== undefined) output[key] = decoded;
    }
    // Own keys only: `constructor` or `toString` is no section of a patch.
    if (partialStrict)
      for (const key in input) if (!Object.hasOwn(shape, key)) fail(`${path}.${key}`, 'no such key');
    return output as T;
  };

/** Absent, or what `decoder` accepts. */
const optional =
  <T>(decoder: Decoder<T>): Decoder<T | undefined> =>
  (value, path) =>
    value === undefined ? undefined : decoder(value, path);

/** Every index is checked, as valibot does: `map` would skip the holes of a sparse array. */
const list =
  <T>(item: Decoder<T>, max: number): Decoder<T[]> =>
  (value, path) =>
    Array.isArray(value) && value.length <= max
      ? Array.from(value, (each: unknown, i) => item(each, `${path}.${i}`))
      : fail(path, `at most ${max} items`);

const id = string(/^[^]{1,64}$/);
const text = string(/^[^]{0,200}$/); // Limits.nameChars
const name64 = string(/^[^]{0,64}$/);
const count = integer(0);
/** Names one event log; never contains ":" (it is joined with seq in SSE ids). */
const epoch = string(/^[\w-]{1,64}$/);
const currency = string(/^[A-Z]{3}$/);
const isoDate = leaf<string>(isDateTime, 'a date and time: YYYY-MM-DDTHH:MM:SS, then Z or ±HH:MM');

const counts = object<Snapshot['counts']>({
  upcoming: count,
  active: count,
  completed: count,
  familyClients: count,
  unreadMessages: count,
  tasksDueToday: count,
});
const revenue = object<Snapshot['revenue']>({
  month: string(/^\d{4}-(0[1-9]|1[0-2])$/),
  amountMinor: integer(),
  currency,
});
const upcoming = list(
  object<Snapshot['upcoming'][number]>({
    id,
    familyName: text,
    title: text,
    startsAt: isoDate,
    endsAt: isoDate,
    status: oneOf<ConsultationStatus>(['scheduled', 'active']),
  }),
  5 satisfies typeof Limits.upcomingItems,
);
const recentMessages = list(
  object<Snapshot['recentMessages'][number]>({
    id,
    familyName: text,
    preview: string(/^[^]{0,140}$/), // Limits.messagePreviewChars
    sentAt: isoDate,
    read: leaf((value) => typeof value === 'boolean', 'a boolean'),
  }),
  3 satisfies typeof Limits.recentMessages,
);

const snapshot = object<Snapshot>({
  epoch,
  seq: count,
  serverTime: count,
  consultant: object<Snapshot['consultant']>({
    id,
    name: text,
    timezone: id,
    currency,
    locale: string(/^[^]{2,35}$/),
  }),
  counts,
  revenue,
  upcoming,
  recentMessages,
});

/** Each server frame without its `type`. */
const FRAMES: Readonly<Record<ServerFrame['type'], Decoder<object>>> = {
  event: object<Omit<EventFrame, 'type'>>({
    epoch,
    seq: integer(1),
    at: count,
    kind: oneOf(Object.keys(EVENT_PRIORITY)),
    subject: object<Subject>({
      type: oneOf(SUBJECT_TYPES),
      id,
      familyName: optional(text),
      startsAt: optional(isoDate),
    }),
    patch: object<Patch>({ counts, revenue, upcoming, recentMessages }, true),
  }),
  snapshot,
  welcome: object({
    consultantId: id,
    epoch,
    seq: count,
    heartbeatMs: integer(1),
    tokenExpiresAt: count,
    serverTime: count,
  }),
  heartbeat: object({ epoch, seq: count, serverTime: count }),
  pong: object({ id: name64, serverTime: count }),
  error: object({ code: name64, message: string(/^[^]{0,500}$/) }),
};

const serverFrame: Decoder<ServerFrame> = (value, path) => {
  const type = (value as { type?: unknown } | null)?.type;
  return typeof type === 'string' && Object.hasOwn(FRAMES, type)
    ? ({ type, ...FRAMES[type as ServerFrame['type']](value, path) } as ServerFrame)
    : fail('type', 'a server frame type');
};

function run<T>(decoder: Decoder<T>, value: unknown): ParseResult<T> {
  try {
    return { ok: true, value: decoder(value, '') };
  } catch (error) {
    return { ok: false, error: (error as Error).message };
  }
}

/** Checks a decoded value against the server frame rules; never throws. */
export const decodeServerFrame = (value: unknown): ParseResult<ServerFrame> => run(serverFrame, value);

/** Checks a snapshot (without `type`), e.g. one relayed by another tab; never throws. */
export const decodeSnapshot = (value: unknown): ParseResult<Snapshot> => run(snapshot, value);

/** Parses and checks one server frame as text; never throws. */
export function parseServerFrame(text: string): ParseResult<ServerFrame> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, error: 'malformed JSON' };
  }
  return decodeServerFrame(value);
}

/** `<epoch>:<seq>`, the SSE `id` and `Last-Event-ID` form of a cursor. */
export function formatCursor(cursor: Cursor): string {
  return `${cursor.epoch}:${cursor.seq}`;
}

export function parseCursor(text: string | null | undefined): Cursor | null {
  const match = /^([\w-]{1,64}):(\d{1,15})$/.exec(text ?? '');
  return match ? { epoch: match[1]!, seq: Number(match[2]) } : null;
}
