import { expect } from '@open-wc/testing';
import { createDashboardClient } from '../client.js';
import type { DashboardClient } from '../types.js';
import type { Rung } from './types.js';
import { ManualClock } from '../test/manual-clock.js';
import { env, serverSnapshot, simulate, token, until } from '../test/server.js';
import { Limits } from '@fg/protocol';

const CONSULTANT = 'c-story';

describe('each transport alone, against the reference server', () => {
  let client: DashboardClient | undefined;
  afterEach(() => client?.close());

  const cases: Array<[Rung, 'websocket' | 'sse' | 'polling']> = [
    ['websocket', 'websocket'],
    ['sse', 'sse'],
    ['longpoll', 'polling'],
    ['interval', 'polling'],
  ];
  for (const [rung, name] of cases) {
    it(`${rung}: loads the snapshot, then shows a booking made elsewhere`, async () => {
      const clock = new ManualClock();
      client = createDashboardClient(
        { endpoint: env.serverUrl, getToken: () => token(CONSULTANT), tabSync: false },
        { clock, rungs: [rung] },
      );
      const c = client;
      await until(() => c.status === 'live' && c.state.snapshot !== null, 'live with a snapshot');
      expect(c.state.transport).to.equal(name);
      const before = c.state.snapshot!;
      expect(before.consultant.id).to.equal(CONSULTANT);

      const { seq } = await simulate(CONSULTANT, 'book', {
        familyName: `Family via ${rung}`,
        startsInSeconds: 60,
      });
      // Interval polling asks every 30 s: move its clock rather than wait.
      if (rung === 'interval') await clock.advance(Limits.pollIntervalMs);
      await until(() => c.state.snapshot!.seq >= seq, `seq ${seq}`);

      const after = c.state.snapshot!;
      expect(after.counts.upcoming).to.equal(before.counts.upcoming + 1);
      expect(after).to.deep.equal(
        await serverSnapshot(CONSULTANT).then((s) => ({ ...s, serverTime: after.serverTime })),
      );
      expect(c.metrics().counters.eventsApplied).to.be.at.least(1);
      expect(c.metrics().deliveryLatency.count).to.be.at.least(1);
    });
  }
});
