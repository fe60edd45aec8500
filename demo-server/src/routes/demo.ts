/**
 * Demo routes (`FG_DEMO=1` only; 404 otherwise): tokens for the seeded consultants, the
 * simulator playing "a family in a separate session", and, on a manual clock only, moving
 * time by hand.
 */
import type { Hono } from 'hono';
import * as v from 'valibot';
import {
  DemoLimits,
  SIMULATE_ACTIONS,
  SimulateRequestSchema,
  TokenRequestSchema,
  validate,
  type DemoConsultant,
  type SimulateResponse,
  type TokenResponse,
} from '@fg/protocol';
import type { Auth } from '../auth.js';
import { isManualClock, type Clock } from '../clock.js';
import type { Consultants } from '../db/consultants.js';
import type { LogHead } from '../db/eventlog.js';
import type { Domain } from '../domain.js';
import { badRequest, notFound } from '../errors.js';
import { readJson, readJsonValue } from '../http/respond.js';
import { simulate } from '../simulate.js';

export interface DemoDeps {
  consultants: Consultants;
  domain: Domain;
  auth: Auth;
  clock: Clock;
  resetLog(consultantId: string): Promise<LogHead>;
  settled(): Promise<void>;
}

/**
 * The farthest the demo clock moves in one request: as far as a booking can start. Every
 * timer due on the way fires before the answer, and a jump of centuries would hold the
 * process (every connection, every heartbeat) until they all had.
 */
const MAX_CLOCK_MOVE_MS = DemoLimits.maxStartsInSeconds * 1000;

/** Body of `POST /api/demo/clock` (a route of this server's demo mode, not of the protocol). */
const ClockRequestSchema = v.pipe(
  v.strictObject({
    advanceMs: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(MAX_CLOCK_MOVE_MS))),
    setTime: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0))),
  }),
  v.check(
    (body) => (body.advanceMs === undefined) !== (body.setTime === undefined),
    'give advanceMs or setTime',
  ),
);

const ResetLogRequestSchema = v.strictObject({ consultantId: TokenRequestSchema.entries.consultantId });

const DEFAULT_TTL_SECONDS = 3600;

export function demoRoutes(app: Hono, deps: DemoDeps): void {
  const { consultants, domain, auth, clock } = deps;

  app.get('/api/demo/consultants', async (c) =>
    c.json(
      (await consultants.all()).map((row): DemoConsultant => ({
        id: row.id,
        name: row.name,
        timezone: row.timezone,
        currency: row.currency,
        locale: row.locale,
        description: row.description,
      })),
    ),
  );

  app.post('/api/demo/token', async (c) => {
    const body = await readJson(c, TokenRequestSchema);
    if (!(await consultants.get(body.consultantId))) throw notFound(`No consultant ${body.consultantId}`);
    const answer: TokenResponse = await auth.sign(body.consultantId, body.ttlSeconds ?? DEFAULT_TTL_SECONDS);
    return c.json(answer);
  });

  app.post('/api/demo/simulate', async (c) => {
    const raw = await readJsonValue(c);
    const action = (raw as { action?: unknown } | null)?.action;
    if (typeof action !== 'string' || !(SIMULATE_ACTIONS as readonly string[]).includes(action)) {
      throw badRequest(
        action === undefined ? 'action is required' : `Unknown action ${JSON.stringify(action)}`,
        { validActions: SIMULATE_ACTIONS },
      );
    }
    const parsed = validate(SimulateRequestSchema, raw);
    if (!parsed.ok) throw badRequest(`Invalid request body: ${parsed.error}`);
    const event = await simulate(domain, parsed.value);
    const answer: SimulateResponse = { seq: event.seq, kind: event.kind };
    return c.json(answer);
  });

  /** Starts a new event log (new epoch) for a consultant: every client resyncs. */
  app.post('/api/demo/reset-log', async (c) => {
    const body = await readJson(c, ResetLogRequestSchema);
    return c.json(await deps.resetLog(body.consultantId));
  });

  if (isManualClock(clock)) {
    app.get('/api/demo/clock', (c) => c.json({ now: clock.now() }));
    app.post('/api/demo/clock', async (c) => {
      const body = await readJson(c, ClockRequestSchema);
      if (body.setTime !== undefined && Math.abs(body.setTime - clock.now()) > MAX_CLOCK_MOVE_MS)
        throw badRequest(`setTime must be within ${MAX_CLOCK_MOVE_MS} ms of now (${clock.now()})`);
      // Moving the clock fires every due timer (consultations starting and ending, days
      // turning); their events are committed before this answers.
      const now = body.setTime !== undefined ? clock.set(body.setTime) : clock.advance(body.advanceMs!);
      await clock.settled();
      await deps.settled();
      return c.json({ now });
    });
  }
}
