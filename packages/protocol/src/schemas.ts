/**
 * Valibot schemas of every frame and request body. The TypeScript types are inferred
 * from these, so the checks and the types cannot disagree.
 */
import * as v from 'valibot';
import { EVENT_KINDS, Limits, SUBJECT_TYPES } from './constants.js';

const id = v.pipe(v.string(), v.minLength(1), v.maxLength(64));
const count = v.pipe(v.number(), v.integer(), v.minValue(0));
const timestamp = v.pipe(v.number(), v.integer(), v.minValue(0));
const isoDate = v.pipe(v.string(), v.isoTimestamp());

/** Names one event log; never contains ":" (it is joined with seq in SSE ids). */
export const EpochSchema = v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]{1,64}$/));
export const SeqSchema = count;

export const CursorSchema = v.object({ epoch: EpochSchema, seq: SeqSchema });

export const ConsultantSchema = v.object({
  id,
  name: v.pipe(v.string(), v.maxLength(200)),
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
  familyName: v.pipe(v.string(), v.maxLength(200)),
  title: v.pipe(v.string(), v.maxLength(200)),
  startsAt: isoDate,
  endsAt: isoDate,
  status: ConsultationStatusSchema,
});

export const MessageItemSchema = v.object({
  id,
  familyName: v.pipe(v.string(), v.maxLength(200)),
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

export const SubjectSchema = v.object({ type: v.picklist(SUBJECT_TYPES), id });

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
  message: v.pipe(v.string(), v.maxLength(500)),
});

export const ServerFrameSchema = v.variant('type', [
  EventFrameSchema,
  SnapshotFrameSchema,
  WelcomeFrameSchema,
  HeartbeatFrameSchema,
  PongFrameSchema,
  ErrorFrameSchema,
]);

/** Body of `GET /api/changes`: events after the cursor, or a snapshot, or one heartbeat. */
export const ChangesResponseSchema = v.object({
  frames: v.array(v.variant('type', [EventFrameSchema, SnapshotFrameSchema, HeartbeatFrameSchema])),
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

// ---- request bodies ----

export const TokenRequestSchema = v.strictObject({
  consultantId: id,
  ttlSeconds: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(7 * 24 * 3600))),
});

export const TokenResponseSchema = v.object({ token: v.string(), expiresAt: timestamp });

const name = v.pipe(v.string(), v.trim(), v.minLength(1), v.maxLength(200));

export const SimulateRequestSchema = v.variant('action', [
  v.strictObject({
    consultantId: id,
    action: v.literal('book'),
    startsInSeconds: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(366 * 24 * 3600))),
    durationMinutes: v.optional(v.pipe(v.number(), v.integer(), v.minValue(5), v.maxValue(8 * 60))),
    familyName: v.optional(name),
    title: v.optional(name),
  }),
  v.strictObject({
    consultantId: id,
    action: v.literal('message'),
    familyName: v.optional(name),
    text: v.optional(v.pipe(v.string(), v.minLength(1), v.maxLength(Limits.maxMessageChars))),
  }),
  v.strictObject({
    consultantId: id,
    action: v.literal('payment'),
    amountMinor: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(100_000_000))),
    familyName: v.optional(name),
  }),
  v.strictObject({ consultantId: id, action: v.literal('associate-family'), familyName: v.optional(name) }),
  v.strictObject({ consultantId: id, action: v.literal('dissociate-family'), familyId: v.optional(id) }),
  v.strictObject({
    consultantId: id,
    action: v.literal('start-consultation'),
    consultationId: v.optional(id),
  }),
  v.strictObject({
    consultantId: id,
    action: v.literal('complete-consultation'),
    consultationId: v.optional(id),
  }),
  v.strictObject({
    consultantId: id,
    action: v.literal('cancel-consultation'),
    consultationId: v.optional(id),
  }),
  v.strictObject({
    consultantId: id,
    action: v.literal('reschedule-consultation'),
    consultationId: v.optional(id),
    startsInSeconds: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(366 * 24 * 3600))),
  }),
  v.strictObject({
    consultantId: id,
    action: v.literal('add-task'),
    title: v.optional(name),
    /** Due date offset from now, in days in the consultant's time zone (0 = today). */
    dueInDays: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(365))),
  }),
  v.strictObject({ consultantId: id, action: v.literal('complete-task'), taskId: v.optional(id) }),
]);

/** Actions of `POST /api/demo/simulate`, read off the schema so the list cannot drift. */
export const SIMULATE_ACTIONS: readonly SimulateRequest['action'][] = SimulateRequestSchema.options.map(
  (option) => option.entries.action.literal,
);
type SimulateRequest = v.InferOutput<typeof SimulateRequestSchema>;

export const SimulateResponseSchema = v.object({ seq: SeqSchema, kind: v.picklist(EVENT_KINDS) });

export const DemoConsultantSchema = v.object({
  ...ConsultantSchema.entries,
  description: v.string(),
});
