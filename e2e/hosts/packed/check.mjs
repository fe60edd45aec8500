// Run with plain Node in a project that installed the packed tarballs: the packages load
// without a bundler or a TypeScript loader, and work.
import assert from 'node:assert/strict';
import { CloseCode, Limits, parseServerFrame } from '@fg/protocol';
import { parseServerFrame as parseFromFrames } from '@fg/protocol/frames';
import { createDashboardClient, createDashboardStore } from '@fg/realtime';

assert.equal(Limits.badgeCap, 99);
assert.equal(CloseCode.unauthenticated, 4401);
assert.equal(parseFromFrames, parseServerFrame);
assert.equal(typeof createDashboardClient, 'function');

const snapshot = JSON.parse(process.argv[2]);
const store = createDashboardStore({ requestFrame: (callback) => (setImmediate(callback), () => {}) });
assert.equal(store.receive(JSON.stringify({ type: 'snapshot', ...snapshot })), 'snapshot');
const event = {
  type: 'event',
  epoch: snapshot.epoch,
  seq: snapshot.seq + 1,
  at: snapshot.serverTime,
  kind: 'task.created',
  subject: { type: 'task', id: 't-node' },
  patch: { counts: { ...snapshot.counts, tasksDueToday: snapshot.counts.tasksDueToday + 1 } },
};
const seen = new Promise((resolve) =>
  store.subscribe((state) => state.snapshot?.counts.tasksDueToday, resolve),
);
assert.equal(store.receive(event), 'applied');
assert.equal(await seen, snapshot.counts.tasksDueToday + 1);
assert.equal(store.receive(event), 'duplicate');

// The elements and the React wrappers import in Node too (server rendering, tests).
const elements = await import('@fg/dashboard-elements');
assert.equal(typeof elements.FgDashboard, 'function');
await import('@fg/dashboard-elements/define/fg-dashboard.js');
const react = await import('@fg/react');
assert.equal(typeof react.FgDashboardProvider, 'object');
console.log('ok');
