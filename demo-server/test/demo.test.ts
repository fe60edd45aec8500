import { request } from 'node:http';
// The demo routes and the action route: every simulated action, and bad input answered clearly.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { decodeServerFrame } from '@fg/protocol/frames';
import {
  DemoLimits,
  EventFrameSchema,
  Limits,
  SIMULATE_ACTIONS,
  validate,
  type DemoConsultant,
  type EventFrame,
  type Snapshot,
} from '@fg/protocol';
import { SystemClock } from '../src/clock.js';
import {
  BACKENDS,
  bearer,
  nextEvents,
  post,
  simulate,
  startTestServer,
  suiteServer,
  tokenFor,
  WsClient,
  type SimulateBody,
} from './helpers.js';

for (const backend of BACKENDS)
  describe(`demo routes (${backend})`, () => {
    const server = suiteServer({ backend });
    let token: string;
    let ws: WsClient;
    before(async () => {
      token = await tokenFor(server, 'c-story');
      ws = await WsClient.connect(server, token);
      await ws.next(); // the snapshot
    });
    const snapshot = async (): Promise<Snapshot> =>
      (await (await fetch(`${server.url}/api/dashboard`, { headers: bearer(token) })).json()) as Snapshot;

    /** Simulates, then returns the event as the open WebSocket received it. */
    async function act(body: SimulateBody): Promise<EventFrame> {
      const answer = await simulate(server, 'c-story', body);
      const [event] = await nextEvents(ws, 1);
      assert.ok(event);
      assert.ok(validate(EventFrameSchema, event).ok, 'the event matches the protocol');
      assert.equal(event.seq, answer.seq);
      assert.equal(event.kind, answer.kind);
      return event;
    }

    it('lists the seeded consultants with descriptions', async () => {
      const list = (await (await fetch(`${server.url}/api/demo/consultants`)).json()) as DemoConsultant[];
      assert.deepEqual(
        list.map((c) => c.id),
        ['c-story', 'c-empty', 'c-busy', 'c-other'],
      );
      assert.ok(list.every((c) => c.description.length > 0));
    });

    it('mints tokens that expire after ttlSeconds', async () => {
      const res = await post(server, '/api/demo/token', { consultantId: 'c-other', ttlSeconds: 120 });
      assert.equal(res.status, 200);
      const body = (await res.json()) as { token: string; expiresAt: number };
      assert.equal(body.expiresAt, Math.floor(server.clock.now() / 1000) * 1000 + 120_000);
      const unknown = await post(server, '/api/demo/token', { consultantId: 'c-nobody' });
      assert.equal(unknown.status, 404);
    });

    it('answers every demo route with Cache-Control: no-store, as the rest of the API (a token above all)', async () => {
      const answers = [
        await post(server, '/api/demo/token', { consultantId: 'c-other' }),
        await fetch(`${server.url}/api/demo/consultants`),
        await post(server, '/api/demo/simulate', {
          consultantId: 'c-other',
          action: 'add-task',
          title: 'Call back',
        }),
        await post(server, '/api/demo/reset-log', { consultantId: 'c-other' }),
      ];
      for (const res of answers) {
        assert.equal(res.status, 200, res.url);
        assert.equal(res.headers.get('cache-control'), 'no-store', res.url);
        await res.body?.cancel();
      }
    });

    it('book: the count goes 3 -> 4 and the booking is in the list', async () => {
      const event = await act({ action: 'book', startsInSeconds: 600, familyName: 'The Okonkwo family' });
      assert.equal(event.kind, 'consultation.booked');
      assert.equal(event.subject.type, 'consultation');
      assert.deepEqual(Object.keys(event.patch).sort(), ['counts', 'upcoming']);
      assert.equal(event.patch.counts!.upcoming, 4);
      assert.equal(event.patch.counts!.familyClients, 6, 'naming a family does not make it a client');
      const item = event.patch.upcoming!.find((u) => u.id === event.subject.id);
      assert.ok(item, 'the new consultation is listed');
      assert.equal(item.familyName, 'The Okonkwo family');
      assert.equal(item.status, 'scheduled');
      assert.equal(Date.parse(item.startsAt), server.clock.now() + 600_000);
    });

    it('book: a booking past the first five upcoming is not listed, and its event names its family and start', async () => {
      const event = await act({
        action: 'book',
        startsInSeconds: 30 * 86_400,
        familyName: 'The Lindqvist family',
      });
      assert.equal(event.patch.upcoming!.length, 5);
      assert.ok(!event.patch.upcoming!.some((u) => u.id === event.subject.id), 'past the first five');
      assert.deepEqual(event.subject, {
        type: 'consultation',
        id: event.subject.id,
        familyName: 'The Lindqvist family',
        startsAt: new Date(server.clock.now() + 30 * 86_400_000).toISOString(),
      });
      assert.ok(decodeServerFrame(event).ok, 'the client accepts the event');
    });

    it('message: it leads Recent Messages and unread goes 0 -> 1', async () => {
      const event = await act({ action: 'message', familyName: 'The Haddads', text: 'Can we move Friday?' });
      assert.equal(event.kind, 'message.received');
      assert.equal(event.patch.counts!.unreadMessages, 1);
      assert.equal(event.patch.recentMessages![0]!.preview, 'Can we move Friday?');
      assert.equal(event.patch.recentMessages![0]!.read, false);
      assert.equal(event.patch.recentMessages!.length, 3);
    });

    it('message: long family text is cut to a preview of at most 140 characters', async () => {
      const event = await act({ action: 'message', text: 'x'.repeat(Limits.maxMessageChars) });
      assert.equal(event.patch.recentMessages![0]!.preview.length, Limits.messagePreviewChars);
      assert.ok(event.patch.recentMessages![0]!.preview.endsWith('…'));
    });

    it('message: a preview of text with emoji stays within the limit as the wire counts it, and cuts no emoji', async () => {
      const family = '👨‍👩‍👧';
      for (const text of [
        '🙂'.repeat(71),
        `Thanks for the session today 😊 The new bedtime routine is working, but we have a few questions about naps and the morning schedule for next week, could we talk?`,
        family.repeat(40),
      ]) {
        const event = await act({ action: 'message', text });
        const { preview } = event.patch.recentMessages![0]!;
        assert.ok(preview.length <= Limits.messagePreviewChars, `${preview.length} code units`);
        assert.ok(preview.endsWith('…'));
        assert.ok(
          !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(preview),
          'no half of an emoji',
        );
        assert.ok(decodeServerFrame(event).ok, 'the client accepts the event');
      }
      const { preview } = (await snapshot()).recentMessages[0]!;
      assert.equal(preview.slice(0, -1).replaceAll(family, ''), '', 'only whole families');
    });

    it('payment: revenue this month goes $5,000.00 -> $5,250.00', async () => {
      const event = await act({ action: 'payment', amountMinor: 25_000 });
      assert.equal(event.kind, 'payment.completed');
      assert.deepEqual(event.patch, { revenue: { month: '2025-03', amountMinor: 525_000, currency: 'USD' } });
    });

    it('associate-family and dissociate-family: family clients 6 -> 7 -> 6', async () => {
      const associated = await act({ action: 'associate-family', familyName: 'The Lindqvists' });
      assert.equal(associated.kind, 'family.associated');
      assert.deepEqual(Object.keys(associated.patch), ['counts']);
      assert.equal(associated.patch.counts!.familyClients, 7);
      const dissociated = await act({ action: 'dissociate-family', familyId: associated.subject.id });
      assert.equal(dissociated.kind, 'family.dissociated');
      assert.equal(dissociated.patch.counts!.familyClients, 6);
    });

    it('start-consultation: active 2 -> 3, the item turns active in place', async () => {
      const before = await snapshot();
      const next = before.upcoming.find((u) => u.status === 'scheduled')!;
      const event = await act({ action: 'start-consultation' });
      assert.equal(event.kind, 'consultation.started');
      assert.equal(event.subject.id, next.id);
      assert.equal(event.patch.counts!.active, before.counts.active + 1);
      assert.equal(event.patch.counts!.upcoming, before.counts.upcoming - 1);
      const index = before.upcoming.findIndex((u) => u.id === next.id);
      assert.equal(event.patch.upcoming![index]!.id, next.id);
      assert.equal(event.patch.upcoming![index]!.status, 'active');
      // Started before its time: it starts now, and lasts as long as it was to.
      const started = event.patch.upcoming![index]!;
      assert.ok(Date.parse(next.startsAt) > server.clock.now(), 'it was not due yet');
      assert.equal(Date.parse(started.startsAt), server.clock.now());
      assert.equal(
        Date.parse(started.endsAt) - Date.parse(started.startsAt),
        Date.parse(next.endsAt) - Date.parse(next.startsAt),
      );
    });

    it('complete-consultation: the completed count goes up by one', async () => {
      const before = await snapshot();
      const event = await act({ action: 'complete-consultation' });
      assert.equal(event.kind, 'consultation.completed');
      assert.equal(event.patch.counts!.completed, before.counts.completed + 1);
      assert.equal(event.patch.counts!.active, before.counts.active - 1);
      assert.ok(!event.patch.upcoming!.some((u) => u.id === event.subject.id));
    });

    it('cancel-consultation and reschedule-consultation', async () => {
      const before = await snapshot();
      const cancelled = await act({ action: 'cancel-consultation' });
      assert.equal(cancelled.kind, 'consultation.cancelled');
      assert.equal(cancelled.patch.counts!.upcoming, before.counts.upcoming - 1);
      const target = (await snapshot()).upcoming.find((u) => u.status === 'scheduled')!;
      const moved = await act({
        action: 'reschedule-consultation',
        consultationId: target.id,
        startsInSeconds: 7200,
      });
      assert.equal(moved.kind, 'consultation.rescheduled');
      assert.deepEqual(Object.keys(moved.patch), ['upcoming']);
      const item = moved.patch.upcoming!.find((u) => u.id === target.id)!;
      assert.equal(Date.parse(item.startsAt), server.clock.now() + 7_200_000);
    });

    it('add-task and complete-task: tasks due today 2 -> 3 -> 2; a task due later does not count', async () => {
      const added = await act({ action: 'add-task', title: 'Send notes', dueInDays: 0 });
      assert.equal(added.kind, 'task.created');
      assert.equal(added.patch.counts!.tasksDueToday, 3);
      const later = await act({ action: 'add-task', title: 'Plan workshop', dueInDays: 3 });
      assert.equal(later.patch.counts!.tasksDueToday, 3);
      const done = await act({ action: 'complete-task', taskId: added.subject.id });
      assert.equal(done.kind, 'task.completed');
      assert.equal(done.patch.counts!.tasksDueToday, 2);
    });

    it('covers every action of the protocol', async () => {
      // Each action above went through; this guards the list against silent growth.
      assert.deepEqual([...SIMULATE_ACTIONS].sort(), [
        'add-task',
        'associate-family',
        'book',
        'cancel-consultation',
        'complete-consultation',
        'complete-task',
        'dissociate-family',
        'message',
        'payment',
        'reschedule-consultation',
        'start-consultation',
      ]);
    });

    it('answers 404 for an unknown consultant or when nothing matches, and changes nothing', async () => {
      const before = await snapshot();
      const unknown = await post(server, '/api/demo/simulate', { consultantId: 'c-nobody', action: 'book' });
      assert.equal(unknown.status, 404);
      for (const action of [
        'start-consultation',
        'complete-consultation',
        'complete-task',
        'dissociate-family',
      ]) {
        const res = await post(server, '/api/demo/simulate', { consultantId: 'c-empty', action });
        assert.equal(res.status, 404, action);
        const body = (await res.json()) as { error: string; message: string };
        assert.equal(body.error, 'not-found');
      }
      const foreign = await post(server, '/api/demo/simulate', {
        consultantId: 'c-story',
        action: 'start-consultation',
        consultationId: 'k-other-1',
      });
      assert.equal(foreign.status, 404, "another consultant's consultation does not exist");
      assert.equal((await snapshot()).seq, before.seq);
    });

    it('answers an unknown action with 400 and the valid ones', async () => {
      const res = await post(server, '/api/demo/simulate', { consultantId: 'c-story', action: 'teleport' });
      assert.equal(res.status, 400);
      const body = (await res.json()) as { error: string; message: string; validActions: string[] };
      assert.equal(body.error, 'malformed');
      assert.match(body.message, /teleport/);
      assert.deepEqual(body.validActions, [...SIMULATE_ACTIONS]);
    });

    it('answers malformed JSON and schema failures with 400 naming the problem', async () => {
      const broken = await post(server, '/api/demo/simulate', '{"consultantId": "c-story", ');
      assert.equal(broken.status, 400);
      assert.deepEqual(await broken.json(), {
        error: 'malformed',
        message: 'The request body is not valid JSON',
      });
      const invalid = await post(server, '/api/demo/simulate', {
        consultantId: 'c-story',
        action: 'book',
        durationMinutes: 1,
      });
      assert.equal(invalid.status, 400);
      assert.match(((await invalid.json()) as { message: string }).message, /durationMinutes/);
      const extra = await post(server, '/api/demo/token', { consultantId: 'c-story', admin: true });
      assert.equal(extra.status, 400);
      const blank = await post(server, '/api/demo/simulate', {
        consultantId: 'c-story',
        action: 'message',
        text: ' \n ',
      });
      assert.equal(blank.status, 400);
      assert.match(((await blank.json()) as { message: string }).message, /only spaces/);
    });

    it('refuses text holding half of a surrogate pair (400), which SQLite would store as other text', async () => {
      for (const body of [
        { action: 'message', familyName: `${'a'.repeat(199)}\ud83d`, text: 'Hello' },
        { action: 'message', text: 'Hello \udc00' },
        { action: 'book', title: `${'a'.repeat(199)}\udc00` },
      ]) {
        const answer = await post(server, '/api/demo/simulate', { consultantId: 'c-story', ...body });
        assert.equal(answer.status, 400, JSON.stringify(body));
        assert.match(((await answer.json()) as { message: string }).message, /surrogate/);
      }
      const whole = await act({ action: 'message', familyName: 'The 🙂 family', text: '🙂' });
      assert.equal(whole.patch.recentMessages![0]!.familyName, 'The 🙂 family');
    });

    it('clips a family name and a title the database holds longer than the wire allows, so the client takes the snapshot', async () => {
      const long = `The ${'Longname-'.repeat(30)}family 👨‍👩‍👧`;
      await act({ action: 'book', startsInSeconds: 60, familyName: 'The Clipped family', title: 'Clipped' });
      await act({ action: 'message', familyName: 'The Clipped family', text: 'Hello' });
      await server.storage.write(async (tx) => {
        await tx.run('UPDATE families SET name = ? WHERE name = ?', [long, 'The Clipped family']);
        await tx.run('UPDATE consultations SET title = ? WHERE title = ?', [long, 'Clipped']);
      });
      const state = await snapshot();
      const booked = state.upcoming.find((item) => item.familyName.startsWith('The Longname'))!;
      const message = state.recentMessages.find((item) => item.familyName.startsWith('The Longname'))!;
      for (const text of [booked.familyName, booked.title, message.familyName]) {
        assert.ok(text.length <= Limits.nameChars, `${text.length} code units`);
        assert.ok(long.startsWith(text), 'cut, not changed');
      }
      assert.ok(decodeServerFrame({ type: 'snapshot', ...state }).ok, 'the client accepts the snapshot');
    });

    it('answers bodies over the limit with 413', async () => {
      const res = await post(server, '/api/demo/simulate', {
        consultantId: 'c-story',
        action: 'message',
        text: 'y'.repeat(Limits.maxBodyBytes),
      });
      assert.equal(res.status, 413);
      assert.equal(((await res.json()) as { error: string }).error, 'too-large');
    });

    it('counts a body sent in chunks, with no length declared: 413 over the limit, read under it', async () => {
      /** POSTs `body` in two chunks (`Transfer-Encoding: chunked`): status and JSON answer. */
      const chunked = (body: string) =>
        new Promise<{ status: number; json: { error?: string; kind?: string } }>((resolve, reject) => {
          const req = request(`${server.url}/api/demo/simulate`, {
            method: 'POST',
            headers: { 'Content-Type': 'application/json' },
          });
          req.on('response', (res) => {
            let text = '';
            res.setEncoding('utf8');
            res.on('data', (chunk: string) => (text += chunk));
            res.on('end', () => resolve({ status: res.statusCode!, json: JSON.parse(text) }));
          });
          req.on('error', reject);
          const half = Math.floor(body.length / 2);
          req.write(body.slice(0, half));
          req.end(body.slice(half));
        });
      const message = (text: string) => JSON.stringify({ consultantId: 'c-story', action: 'message', text });
      const over = await chunked(message('y'.repeat(Limits.maxBodyBytes)));
      assert.equal(over.status, 413);
      assert.equal(over.json.error, 'too-large');
      const under = await chunked(message('Sent in two chunks'));
      assert.equal(under.status, 200);
      assert.equal(under.json.kind, 'message.received');
    });

    it('moves the manual clock, answering the new time', async () => {
      const now = server.clock.now();
      const got = (await (await fetch(`${server.url}/api/demo/clock`)).json()) as { now: number };
      assert.equal(got.now, now);
      const moved = await post(server, '/api/demo/clock', { advanceMs: 1_000 });
      assert.deepEqual(await moved.json(), { now: now + 1_000 });
      const set = await post(server, '/api/demo/clock', { setTime: now + 5_000 });
      assert.deepEqual(await set.json(), { now: now + 5_000 });
      const both = await post(server, '/api/demo/clock', { setTime: now, advanceMs: 1 });
      assert.equal(both.status, 400);
    });

    it('moves the clock at most a year and a day at a time: every timer due on the way fires before it answers', async () => {
      const now = server.clock.now();
      const year = DemoLimits.maxStartsInSeconds * 1000;
      for (const body of [
        { setTime: 0 },
        { setTime: now + year + 1 },
        { advanceMs: year + 1 },
        { advanceMs: 1e15 },
      ]) {
        const refused = await post(server, '/api/demo/clock', body);
        assert.equal(refused.status, 400, JSON.stringify(body));
        assert.equal(((await refused.json()) as { error: string }).error, 'malformed');
      }
      assert.equal(server.clock.now(), now, 'the clock did not move');
    });
  });

describe('POST /api/messages/:id/read', async () => {
  const server = await startTestServer();
  const story = await tokenFor(server, 'c-story');
  const other = await tokenFor(server, 'c-other');
  const read = (id: string, token: string) =>
    fetch(`${server.url}/api/messages/${id}/read`, { method: 'POST', headers: bearer(token) });
  const dashboard = async (token: string) =>
    (await (await fetch(`${server.url}/api/dashboard`, { headers: bearer(token) })).json()) as Snapshot;

  it('marks a message read: one message.read event, unread back to 0', async () => {
    const ws = await WsClient.connect(server, story);
    await ws.next();
    const { seq } = await simulate(server, 'c-story', { action: 'message', text: 'Are you free?' });
    const [received] = await nextEvents(ws, 1);
    const messageId = received!.subject.id;
    const res = await read(messageId, story);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { id: messageId, read: true, changed: true, seq: seq + 1 });
    const [event] = await nextEvents(ws, 1);
    assert.equal(event!.kind, 'message.read');
    assert.equal(event!.patch.counts!.unreadMessages, 0);
    assert.equal(event!.patch.recentMessages![0]!.read, true);

    // Already read: 200, and no new event.
    const again = await read(messageId, story);
    assert.equal(again.status, 200);
    assert.deepEqual(await again.json(), { id: messageId, read: true, changed: false, seq: seq + 1 });
    assert.equal((await dashboard(story)).seq, seq + 1);
    await ws.close();
  });

  it("answers 404 for another consultant's message, and nothing changes on either side", async () => {
    const before = await dashboard(other);
    const unread = 'm-other-3'; // seeded unread for c-other
    const res = await read(unread, story);
    assert.equal(res.status, 404);
    assert.deepEqual(await res.json(), { error: 'not-found', message: `No message ${unread}` });
    const after = await dashboard(other);
    assert.deepEqual(after, { ...before, serverTime: after.serverTime });
    assert.equal(after.counts.unreadMessages, 1);
    const missing = await read('m-does-not-exist', story);
    assert.equal(missing.status, 404, 'same answer as for an id that exists elsewhere');
  });
});

describe('demo mode off', async () => {
  const server = await startTestServer({ demo: false, clock: new SystemClock() as never });

  it('answers 404 on every demo route', async () => {
    assert.equal((await fetch(`${server.url}/api/demo/consultants`)).status, 404);
    assert.equal((await post(server, '/api/demo/token', { consultantId: 'c-story' })).status, 404);
    assert.equal(
      (await post(server, '/api/demo/simulate', { consultantId: 'c-story', action: 'book' })).status,
      404,
    );
    assert.equal((await fetch(`${server.url}/api/demo/clock`)).status, 404);
  });

  it('puts no demo consultant in the database', async () => {
    assert.deepEqual(await server.storage.sql.all('SELECT id FROM consultants'), []);
  });
});

describe('clock route on the system clock', async () => {
  const server = await startTestServer({ clock: new SystemClock() as never });
  it('does not exist', async () => {
    assert.equal((await fetch(`${server.url}/api/demo/clock`)).status, 404);
    assert.equal((await post(server, '/api/demo/clock', { advanceMs: 1 })).status, 404);
  });
});
