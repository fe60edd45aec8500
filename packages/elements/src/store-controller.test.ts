import { expect } from '@open-wc/testing';
import './define/fg-dashboard.js';
import type { FgDashboard } from './dashboard/dashboard.js';
import { DashboardScript, messageItem, upcomingItem } from './test/frames.js';
import { mount } from './test/harness.js';

describe('StoreController', () => {
  it('in a hidden page, keeps one paint report waiting however often the widgets update, and reports it once painted', async () => {
    const { feed, status, update, store } = await mount<FgDashboard>('fg-dashboard', 1024);
    const script = new DashboardScript();
    await feed(script.snapshotFrame());
    await status('live');
    const settled = store.metrics().eventToDomLatency.count;

    // A hidden page runs no animation frames until it is shown: they wait here.
    const waiting: FrameRequestCallback[] = [];
    const realFrame = window.requestAnimationFrame;
    window.requestAnimationFrame = (callback) => waiting.push(callback);
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'hidden' });
    try {
      const updates = 200;
      for (let i = 0; i < updates; i++) {
        store.receive(
          i % 2
            ? script.message(messageItem(10 + i, { id: `new${i}` }))
            : script.book(upcomingItem(0, { id: `b${i}` })),
        );
        await update();
      }
      expect(store.state.snapshot!.seq, 'the widgets kept up').to.equal(script.snapshot.seq);
      expect(waiting.length, 'frame requests waiting').to.be.at.most(1);
      expect(store.metrics().eventToDomLatency.count, 'nothing painted yet').to.equal(settled);

      delete (document as unknown as Record<string, unknown>).visibilityState;
      for (const callback of waiting.splice(0)) callback(performance.now());
      await new Promise((resolve) => setTimeout(resolve));
      expect(store.metrics().eventToDomLatency.count, 'every event reported painted').to.equal(
        settled + updates,
      );
    } finally {
      window.requestAnimationFrame = realFrame;
      delete (document as unknown as Record<string, unknown>).visibilityState;
    }
  });
});
