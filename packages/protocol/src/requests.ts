/**
 * Valibot schemas of the HTTP request and response bodies other than frames: the demo
 * routes' tokens and simulator. Only the server reads them, so they stay out of the
 * client entry point (`@fg/protocol/frames`).
 */
import * as v from 'valibot';
import { DemoLimits, EVENT_KINDS, Limits } from './constants.js';
import { ConsultantSchema, IdSchema as id, SeqSchema, TimestampSchema as timestamp } from './schemas.js';

export const TokenRequestSchema = v.strictObject({
  consultantId: id,
  ttlSeconds: v.optional(
    v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(DemoLimits.maxTokenTtlSeconds)),
  ),
});

export const TokenResponseSchema = v.object({ token: v.string(), expiresAt: timestamp });

/**
 * Text that is well-formed Unicode: JSON can carry half of a surrogate pair ("\\ud83d"), which
 * no character is; stored, it would come back as other text than was sent (SQLite repairs it
 * into three replacement characters, which may no longer fit the protocol's limits).
 */
const wellFormed = v.check(
  (text: string) => !/\p{Cs}/u.test(text),
  'half of a surrogate pair (not well-formed Unicode)',
);

const name = v.pipe(v.string(), wellFormed, v.trim(), v.minLength(1), v.maxLength(Limits.nameChars));

export const SimulateRequestSchema = v.variant('action', [
  v.strictObject({
    consultantId: id,
    action: v.literal('book'),
    startsInSeconds: v.optional(
      v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(DemoLimits.maxStartsInSeconds)),
    ),
    durationMinutes: v.optional(v.pipe(v.number(), v.integer(), v.minValue(5), v.maxValue(8 * 60))),
    familyName: v.optional(name),
    title: v.optional(name),
  }),
  v.strictObject({
    consultantId: id,
    action: v.literal('message'),
    familyName: v.optional(name),
    text: v.optional(
      v.pipe(
        v.string(),
        wellFormed,
        v.check((text) => text.trim() !== '', 'a message has text, not only spaces'),
        v.maxLength(Limits.maxMessageChars),
      ),
    ),
  }),
  v.strictObject({
    consultantId: id,
    action: v.literal('payment'),
    amountMinor: v.optional(
      v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(DemoLimits.maxPaymentMinor)),
    ),
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
    startsInSeconds: v.optional(
      v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(DemoLimits.maxStartsInSeconds)),
    ),
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
