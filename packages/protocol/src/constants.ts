/**
 * Numbers and names both sides of the wire agree on. Change one only together with
 * docs/protocol.md: backends in other stacks implement exactly these.
 */

/** WebSocket close codes. 1000-range codes keep their standard meaning. */
export const CloseCode = {
  normal: 1000,
  goingAway: 1001,
  overloaded: 1013,
  malformed: 4400,
  unauthenticated: 4401,
  forbidden: 4403,
  helloTimeout: 4408,
  rateLimited: 4429,
} as const;
export type CloseCode = (typeof CloseCode)[keyof typeof CloseCode];

/** `code` of an `error` frame; also the SSE event name `auth-expired`. */
export const ErrorCode = {
  malformed: 'malformed',
  unauthenticated: 'unauthenticated',
  authExpired: 'auth-expired',
  forbidden: 'forbidden',
  /** A page on an origin, or a request naming a host, the server does not serve: not the consultant's fault. */
  originNotAllowed: 'origin-not-allowed',
  helloTimeout: 'hello-timeout',
  rateLimited: 'rate-limited',
  overloaded: 'overloaded',
  tooLarge: 'too-large',
  notFound: 'not-found',
  busy: 'busy',
  /** An unexpected error on the server (HTTP 500); nothing more is said. */
  internal: 'internal',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/**
 * Whether `hostname` (as a URL parser writes it: `[::1]` for IPv6; `::1` bare, as a server is
 * told to listen) names this machine. A token travels in clear text only there; a server
 * listening there answers only such names (no DNS rebinding).
 */
export const isLoopbackHost = (hostname: string): boolean =>
  /^((.+\.)?localhost|\[::1\]|::1|127(\.\d+){3})$/.test(hostname);

/**
 * A date and time on the wire (`startsAt`, `endsAt`, `sentAt`): RFC 3339 as every browser's
 * `Date` reads it, with `T`, seconds, an optional fraction, then `Z` or `±HH:MM`. ISO 8601
 * allows more (a space, `+01`, `+0100`), which some browsers read as no time at all.
 */
export const DATE_TIME =
  /^\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:\.\d{1,9})?(?:Z|[+-](?:[01]\d|2[0-3]):[0-5]\d)$/;

/**
 * Whether `value` is a date and time as the protocol writes it, and this runtime's `Date` reads it.
 * Its day must be one of its month's: V8 reads February 31 as March 3, WebKit and Firefox as no time.
 */
export const isDateTime = (value: unknown): value is string =>
  typeof value === 'string' &&
  DATE_TIME.test(value) &&
  !Number.isNaN(Date.parse(value)) &&
  new Date(value.slice(0, 10)).getUTCDate() === +value.slice(8, 10);

export const Limits = {
  /** Items in `upcoming` and `recentMessages`. */
  upcomingItems: 5,
  recentMessages: 3,
  /** Counts above this are shown as "99+"; the exact number stays in the accessible name. */
  badgeCap: 99,
  /** Client frames larger than this close the socket with 4400. */
  maxClientFrameBytes: 8 * 1024,
  /** Client frames allowed per second per socket (burst of twice this), else 4429. */
  maxClientFramesPerSecond: 10,
  /** Request bodies larger than this answer 413. */
  maxBodyBytes: 16 * 1024,
  /** Family-written message text is cut to this many characters. */
  maxMessageChars: 2000,
  /** A family's name, a consultation's title and a consultant's name, in UTF-16 code units. */
  nameChars: 200,
  /** Preview of a message carried in the snapshot, in UTF-16 code units (string length), as every length on the wire. */
  messagePreviewChars: 140,
  /** The WebSocket hello must arrive within this. */
  helloTimeoutMs: 5_000,
  /** Default heartbeat interval on every streaming transport. */
  heartbeatMs: 15_000,
  /** A client hearing nothing for heartbeat + this marks the connection stale. */
  staleGraceMs: 10_000,
  /** Longest long-poll hold, in seconds. */
  maxLongPollWaitSeconds: 30,
  /** Events kept per consultant for resume. */
  retentionEvents: 10_000,
  retentionMs: 24 * 60 * 60 * 1000,
  /** Interval polling, the last rung of the ladder. */
  pollIntervalMs: 30_000,
  /** The longest `message` of an error frame. */
  errorMessageChars: 500,
} as const;

/** Bounds of the demo routes' requests (the simulator, demo tokens), for forms that ask for them. */
export const DemoLimits = {
  /** The longest demo token, in seconds: 7 days. */
  maxTokenTtlSeconds: 7 * 24 * 3600,
  /** The farthest a booking or a reschedule starts from now, in seconds: a year and a day. */
  maxStartsInSeconds: 366 * 24 * 3600,
  /** The largest simulated payment, in minor units of its currency. */
  maxPaymentMinor: 100_000_000,
} as const;

export const EVENT_KINDS = [
  'consultation.booked',
  'consultation.started',
  'consultation.completed',
  'consultation.cancelled',
  'consultation.rescheduled',
  'message.received',
  'message.read',
  'payment.completed',
  'family.associated',
  'family.dissociated',
  'task.created',
  'task.completed',
  'metrics.recalculated',
] as const;
export type EventKind = (typeof EVENT_KINDS)[number];

/**
 * The story's business rules 8-10. Order is never changed by priority (seq is law);
 * priority decides what is announced and highlighted.
 */
export type Priority = 'high' | 'medium' | 'low';
export const EVENT_PRIORITY: Readonly<Record<EventKind, Priority>> = {
  'consultation.booked': 'high',
  'message.received': 'high',
  'consultation.started': 'medium',
  'consultation.completed': 'medium',
  'consultation.cancelled': 'medium',
  'consultation.rescheduled': 'medium',
  'payment.completed': 'medium',
  'message.read': 'medium',
  'task.created': 'medium',
  'task.completed': 'medium',
  'family.associated': 'low',
  'family.dissociated': 'low',
  'metrics.recalculated': 'low',
};

export const SUBJECT_TYPES = ['consultation', 'message', 'payment', 'family', 'task', 'consultant'] as const;
export type SubjectType = (typeof SUBJECT_TYPES)[number];

export const TRANSPORTS = ['websocket', 'sse', 'polling'] as const;
export type TransportName = (typeof TRANSPORTS)[number];

/**
 * HTTP paths of the protocol. Browser code writes the literals it needs and checks them
 * against these types (`'/api/ws' satisfies typeof Paths.websocket`), so a client bundle
 * does not carry the names it does not use; the same goes for the other objects here.
 */
export const Paths = {
  dashboard: '/api/dashboard',
  websocket: '/api/ws',
  stream: '/api/stream',
  changes: '/api/changes',
  markRead: (messageId: string) => `/api/messages/${encodeURIComponent(messageId)}/read` as const,
} as const;

/** Currencies whose ISO 4217 minor unit is not 2, by exponent (ISO 4217 list one, 2026). */
const MINOR_UNITS: Readonly<Record<number, string>> = {
  0: 'BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF',
  3: 'BHD IQD JOD KWD LYD OMR TND',
  4: 'CLF UYW',
};

/**
 * The ISO 4217 minor unit of a currency: money on the wire (`amountMinor`) is the amount
 * times 10 to this power, so `500000` is 5,000.00 USD, 5,000.00 HUF, 500,000 JPY and
 * 500.000 KWD. 2 for every code not listed above, and for the codes ISO gives no minor
 * unit (XAU, XDR: not money a consultant is paid in). It is not the number of decimals a
 * formatter shows: `Intl` takes those from CLDR, which differs from ISO 4217 for some
 * currencies (HUF, IQD) and between browsers.
 */
export function currencyExponent(currency: string): number {
  return (
    (exponents ??= new Map(
      Object.entries(MINOR_UNITS).flatMap(([exponent, codes]) =>
        codes.split(' ').map((code) => [code, Number(exponent)] as const),
      ),
    )).get(currency) ?? 2
  );
}

/** Each listed code's exponent, made on first use (every money format of every render asks). */
let exponents: Map<string, number> | undefined;
