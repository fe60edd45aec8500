import { expect } from '@open-wc/testing';
import '../define/fg-live-region.js';
import type { FgLiveRegion } from './live-region.js';
import { DashboardScript, messageItem, upcomingItem } from '../test/frames.js';
import { mount, text } from '../test/harness.js';

const region = (el: FgLiveRegion) => el.shadowRoot!.querySelector('[role="status"]')!;
const said = (el: FgLiveRegion) => [...region(el).querySelectorAll('p')].map((p) => p.textContent);

describe('<fg-live-region>', () => {
  it('is one polite status region, silent at first', async () => {
    const { el, feed } = await mount<FgLiveRegion>('fg-live-region');
    await feed(new DashboardScript().snapshotFrame());
    expect(el.shadowRoot!.querySelectorAll('[aria-live]')).to.have.length(1);
    expect(region(el).getAttribute('aria-live')).to.equal('polite');
    expect(said(el)).to.deep.equal([]);
    await expect(el).to.be.accessible();
  });

  it('announces a booking and a message, and not a payment', async () => {
    const script = new DashboardScript();
    const { el, feed } = await mount<FgLiveRegion>('fg-live-region');
    await feed(script.snapshotFrame());
    await feed(script.book(upcomingItem(0, { id: 'b', familyName: 'The Okonkwo family' })));
    expect(said(el)).to.deep.equal(['New booking: The Okonkwo family, Today, 10:45 AM']);
    await feed(script.message(messageItem(5, { id: 'm', familyName: 'The Haddads' })));
    expect(said(el)).to.deep.equal(['New message from The Haddads']);
    await feed(script.payment(25_000));
    expect(said(el)).to.deep.equal(['New message from The Haddads'], 'nothing new said');
    await feed(script.associateFamily(), script.addTask(), script.start('s1'), script.completeConsultation());
    expect(said(el)).to.deep.equal(['New message from The Haddads'], 'still nothing new said');
  });

  it('sums up a burst instead of reading it item by item', async () => {
    const script = new DashboardScript();
    const { el, feed } = await mount<FgLiveRegion>('fg-live-region');
    await feed(script.snapshotFrame());
    const burst = [1, 2, 3, 4].map((i) => script.message(messageItem(10 + i, { id: `b${i}` })));
    await feed(script.payment(100), ...burst);
    expect(said(el)).to.deep.equal(['4 new messages']);
  });

  it('does not announce history: events before it started, or a resync', async () => {
    const script = new DashboardScript();
    script.message(messageItem(1, { id: 'old' }));
    const { el, feed } = await mount<FgLiveRegion>('fg-live-region');
    await feed(script.snapshotFrame());
    expect(said(el)).to.deep.equal([]);
    script.book(upcomingItem(3, { id: 'later' }));
    await feed(script.snapshotFrame());
    expect(said(el)).to.deep.equal([]);
  });

  it('reads family names as text', async () => {
    const script = new DashboardScript();
    const { el, feed } = await mount<FgLiveRegion>('fg-live-region');
    await feed(script.snapshotFrame());
    await feed(script.message(messageItem(5, { id: 'x', familyName: '<b>Bold</b>' })));
    expect(region(el).querySelector('b')).to.equal(null);
    expect(text(region(el))).to.equal('New message from <b>Bold</b>');
  });
});
