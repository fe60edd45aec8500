/**
 * Valibot schemas of every frame on the wire, both ways. The TypeScript types are inferred
 * from these, so the checks and the types cannot disagree. Request bodies, which only the
 * server reads, are in `requests.ts`, out of the clients' way.
 */
import * as v from 'valibot';
import { EVENT_KINDS, Limits, SUBJECT_TYPES, isDateTime } from './constants.js';

/** Ids of consultants and of the entities on a dashboard. */
export const IdSchema = v.pipe(v.string(), v.minLength(1), v.maxLength(64));
/** Ms since the Unix epoch. */
export const TimestampSchema = v.pipe(v.number(), v.integer(), v.minValue(0));
const id = IdSchema;
const count = v.pipe(v.number(), v.integer(), v.minValue(0));
const timestamp = TimestampSchema;
const isoDate = v.pipe(
  v.string(),
  v.check((value: string) => isDateTime(value), 'a date and time: YYYY-MM-DDTHH:MM:SS, then Z or ±HH:MM'),
);

/** Names one event log; never contains ":" (it is joined with seq in SSE ids). */
export const EpochSchema = v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]{1,64}$/));
export const SeqSchema = count;

export const CursorSchema = v.object({ epoch: EpochSchema, seq: SeqSchema });

export const ConsultantSchema = v.object({
  id,
  name: v.pipe(v.string(), v.maxLength(Limits.nameChars)),
  timezone: v.pipe(v.string(), v.minLength(1), v.maxLength(64)),
  currency: v.pipe(v.string(), v.regex(/^[A-Z]{3}$/)),
  locale: v.pipe(v.string(), v.minLength(2), v.maxLength(35)),
});

export const CountsSchema = v.object({
  upcoming: count,
  active: count,
  completed: count,
  familyClients: count,
  unreadMessages: count,
  tasksDueToday: count,
});

export const RevenueSchema = v.object({
  /** Calendar month in the consultant's time zone, `YYYY-MM`. */
  month: v.pipe(v.string(), v.regex(/^\d{4}-(0[1-9]|1[0-2])$/)),
  amountMinor: v.pipe(v.number(), v.integer()),
  currency: v.pipe(v.string(), v.regex(/^[A-Z]{3}$/)),
});

export const ConsultationStatusSchema = v.picklist(['scheduled', 'active']);

export const UpcomingItemSchema = v.object({
  id,
  familyName: v.pipe(v.string(), v.maxLength(Limits.nameChars)),
  title: v.pipe(v.string(), v.maxLength(Limits.nameChars)),
  startsAt: isoDate,
  endsAt: isoDate,
  status: ConsultationStatusSchema,
});

export const MessageItemSchema = v.object({
  id,
  familyName: v.pipe(v.string(), v.maxLength(Limits.nameChars)),
  /** Family-written text: always rendered as text, never as markup. */
  preview: v.pipe(v.string(), v.maxLength(Limits.messagePreviewChars)),
  sentAt: isoDate,
  read: v.boolean(),
});

export const SnapshotSchema = v.object({
  epoch: EpochSchema,
  seq: SeqSchema,
  serverTime: timestamp,
  consultant: ConsultantSchema,
  counts: CountsSchema,
  revenue: RevenueSchema,
  upcoming: v.pipe(v.array(UpcomingItemSchema), v.maxLength(Limits.upcomingItems)),
  recentMessages: v.pipe(v.array(MessageItemSchema), v.maxLength(Limits.recentMessages)),
});

/** The new value of every top-level section an event touched, each section whole. */
export const PatchSchema = v.strictObject({
  counts: v.optional(CountsSchema),
  revenue: v.optional(RevenueSchema),
  upcoming: v.optional(SnapshotSchema.entries.upcoming),
  recentMessages: v.optional(SnapshotSchema.entries.recentMessages),
});

/**
 * The entity an event is about. A booked consultation also names its family and when it
 * starts, so that it can be announced even when it is not among the first five upcoming.
 */
export const SubjectSchema = v.object({
  type: v.picklist(SUBJECT_TYPES),
  id,
  familyName: v.optional(UpcomingItemSchema.entries.familyName),
  startsAt: v.optional(UpcomingItemSchema.entries.startsAt),
});

// ---- server -> client frames ----

export const EventFrameSchema = v.object({
  type: v.literal('event'),
  epoch: EpochSchema,
  seq: v.pipe(v.number(), v.integer(), v.minValue(1)),
  /** Commit time on the server, ms since the Unix epoch. */
  at: timestamp,
  kind: v.picklist(EVENT_KINDS),
  subject: SubjectSchema,
  patch: PatchSchema,
});

export const SnapshotFrameSchema = v.object({ type: v.literal('snapshot'), ...SnapshotSchema.entries });

export const WelcomeFrameSchema = v.object({
  type: v.literal('welcome'),
  consultantId: id,
  epoch: EpochSchema,
  seq: SeqSchema,
  heartbeatMs: v.pipe(v.number(), v.integer(), v.minValue(1)),
  tokenExpiresAt: timestamp,
  serverTime: timestamp,
});

export const HeartbeatFrameSchema = v.object({
  type: v.literal('heartbeat'),
  epoch: EpochSchema,
  seq: SeqSchema,
  serverTime: timestamp,
});

export const PongFrameSchema = v.object({
  type: v.literal('pong'),
  id: v.pipe(v.string(), v.maxLength(64)),
  serverTime: timestamp,
});

export const ErrorFrameSchema = v.object({
  type: v.literal('error'),
  code: v.pipe(v.string(), v.maxLength(64)),
  message: v.pipe(v.string(), v.maxLength(Limits.errorMessageChars)),
});

export const ServerFrameSchema = v.variant('type', [
  EventFrameSchema,
  SnapshotFrameSchema,
  WelcomeFrameSchema,
  HeartbeatFrameSchema,
  PongFrameSchema,
  ErrorFrameSchema,
]);

/**
 * Body of `GET /api/changes`: events after the cursor, or a snapshot, or one heartbeat; never
 * no frame at all, which a client takes as a bad frame.
 */
export const ChangesResponseSchema = v.object({
  frames: v.pipe(
    v.array(v.variant('type', [EventFrameSchema, SnapshotFrameSchema, HeartbeatFrameSchema])),
    v.minLength(1),
  ),
});

// ---- client -> server frames (WebSocket) ----

export const HelloFrameSchema = v.strictObject({
  type: v.literal('hello'),
  token: v.pipe(v.string(), v.minLength(1), v.maxLength(4096)),
  since: v.nullable(CursorSchema),
});

export const PingFrameSchema = v.strictObject({
  type: v.literal('ping'),
  id: v.pipe(v.string(), v.maxLength(64)),
});

export const ClientFrameSchema = v.variant('type', [HelloFrameSchema, PingFrameSchema]);
