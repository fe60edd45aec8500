import { expect } from '@open-wc/testing';
import { Limits } from '@fg/protocol';
import { PROBE_BASE_MS } from './ladder.js';
import { expectCurrent, harness, type Harness } from '../test/harness.js';
import { env, fault, simulate, until } from '../test/server.js';

const CONSULTANT = 'c-story';
/** The reference server in the tests beats every second. */
const HEARTBEAT_MS = 1000;
/** With no jitter, the first probe of a higher rung comes at half the probe ceiling. */
const FIRST_PROBE_MS = PROBE_BASE_MS / 2;

describe('the transport ladder, through the fault proxy', () => {
  let h: Harness | undefined;
  beforeEach(() => fault({ reset: true }));
  afterEach(async () => {
    h?.close();
    h = undefined;
    await fault({ reset: true });
  });

  it('the first probe comes before the watchdog would call a quiet connection stale', () => {
    // The tests below advance the clock to the probe in one step; this is what makes that safe.
    expect(FIRST_PROBE_MS).to.be.below(HEARTBEAT_MS + Limits.staleGraceMs);
  });

  it('falls to SSE when WebSocket is refused, and climbs back when it returns, losing nothing', async () => {
    await fault({ websocket: 'refuse' });
    h = harness({ endpoint: env.proxyUrl });
    const { client, clock, errors } = h;
    await until(() => client.status === 'live', 'live');
    expect(client.state.transport).to.equal('sse');
    expect(errors.map((e) => e.code)).to.include('transport-failed');

    const booked = await simulate(CONSULTANT, 'book', { familyName: 'Booked on SSE' });
    await until(() => client.state.snapshot!.seq >= booked.seq, 'booking over SSE');

    await fault({ websocket: 'pass' });
    await clock.advance(FIRST_PROBE_MS);
    await until(() => client.state.transport === 'websocket', 'back on WebSocket');
    const messaged = await simulate(CONSULTANT, 'message', { familyName: 'After the climb', text: 'Hello' });
    await until(() => client.state.snapshot!.seq >= messaged.seq, 'message over WebSocket');
    await expectCurrent(h.client);
    const { counters } = client.metrics();
    expect(counters.transportSwitches).to.equal(1);
    expect(counters.duplicates).to.equal(0);
    expect(counters.gaps).to.equal(0);
  });

  it('falls from WebSocket to SSE to long-polling, and climbs back rung by rung', async () => {
    await fault({ websocket: 'refuse', stream: 'refuse' });
    h = harness({ endpoint: env.proxyUrl });
    const { client, clock } = h;
    await until(() => client.status === 'live', 'live');
    expect(client.state.transport).to.equal('polling');
    const first = await simulate(CONSULTANT, 'payment', { amountMinor: 12_500 });
    await until(() => client.state.snapshot!.seq >= first.seq, 'payment over long-polling');

    await fault({ stream: 'pass' });
    await clock.advance(FIRST_PROBE_MS);
    await until(() => client.state.transport === 'sse', 'up to SSE');
    await fault({ websocket: 'pass' });
    await clock.advance(FIRST_PROBE_MS);
    await until(() => client.state.transport === 'websocket', 'up to WebSocket');
    await simulate(CONSULTANT, 'add-task', { title: 'After two climbs' });
    await expectCurrent(h.client);
    expect(client.metrics().counters.transportSwitches).to.equal(2);
  });

  it("after climbing from long-polling to WebSocket, a stalled WebSocket is stale at its own limit, not the poll's", async () => {
    await fault({ websocket: 'refuse', stream: 'refuse' });
    h = harness({ endpoint: env.proxyUrl, transports: ['websocket', 'polling'] });
    const { client, clock } = h;
    await until(
      () => client.status === 'live' && client.state.transport === 'polling',
      'live on long-polling',
    );
    await fault({ websocket: 'pass' });
    await clock.advance(FIRST_PROBE_MS);
    await until(() => client.state.transport === 'websocket', 'up to WebSocket');
    // Its first frames set the watchdog to the WebSocket's limit.
    await until(
      () => clock.pending.includes(HEARTBEAT_MS + Limits.staleGraceMs),
      'the watchdog at its new limit',
    );
    await fault({ action: 'stall', kind: 'websocket' });
    await clock.advance(HEARTBEAT_MS + Limits.staleGraceMs);
    expect(client.status).to.equal('stale');
  });
});
