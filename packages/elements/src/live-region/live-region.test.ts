import { expect } from '@open-wc/testing';
import '../define/fg-live-region.js';
import type { FgLiveRegion } from './live-region.js';
import { setClock } from '../format.js';
import { DashboardScript, NOW, messageItem, storySnapshot, upcomingItem } from '../test/frames.js';
import { mount, text, type Mounted } from '../test/harness.js';
import { createDashboardStore } from '@fg/realtime';

const HOUR = 3_600_000;
const region = (el: FgLiveRegion) => el.shadowRoot!.querySelector('[role="status"]')!;
const said = (el: FgLiveRegion) => [...region(el).querySelectorAll('p')].map((p) => p.textContent);

/** A region that has seen the story's dashboard, and every announcement it makes from then on. */
async function listening(snapshot = storySnapshot()) {
  const script = new DashboardScript(snapshot);
  const mounted = await mount<FgLiveRegion>('fg-live-region');
  await mounted.feed(script.snapshotFrame());
  await mounted.status('live');
  const heard: string[][] = [];
  new MutationObserver(() => heard.push(said(mounted.el))).observe(region(mounted.el), { childList: true });
  return { ...mounted, script, heard };
}

/** Moves the shared clock to `ms` after `NOW` and lets the widgets catch up. */
async function at(ms: number, { settle }: Pick<Mounted<FgLiveRegion>, 'settle'>): Promise<void> {
  setClock(() => NOW + ms);
  await settle();
}

describe('<fg-live-region>', () => {
  afterEach(() => setClock(undefined));

  it('is one polite status region, silent at first', async () => {
    const { el, feed, status, settle } = await mount<FgLiveRegion>('fg-live-region');
    await feed(new DashboardScript().snapshotFrame());
    await status('live');
    await at(5_000, { settle });
    expect(el.shadowRoot!.querySelectorAll('[aria-live]')).to.have.length(1);
    expect(region(el).getAttribute('aria-live')).to.equal('polite');
    expect(said(el)).to.deep.equal([]);
    await expect(el).to.be.accessible();
  });

  it('announces a booking and a message, and not a payment', async () => {
    const { el, feed, settle, script } = await listening();
    await feed(script.book(upcomingItem(0, { id: 'b', familyName: 'The Okonkwo family' })));
    await at(500, { settle });
    expect(said(el)).to.deep.equal(['New booking: The Okonkwo family, Today, 10:45 AM']);
    await feed(script.message(messageItem(5, { id: 'm', familyName: 'The Haddads' })));
    await at(1_000, { settle });
    expect(said(el)).to.deep.equal(['New message from The Haddads']);
    await feed(script.payment(25_000));
    await at(1_500, { settle });
    expect(said(el)).to.deep.equal(['New message from The Haddads'], 'nothing new said');
    await feed(
      script.associateFamily(),
      script.addTask(),
      script.start('s1'),
      script.completeConsultation(),
      script.recalculate(),
    );
    await at(2_000, { settle });
    expect(said(el)).to.deep.equal(['New message from The Haddads'], 'still nothing new said');
  });

  it('announces who and when for a booking past the first five upcoming, which the list does not show', async () => {
    const { el, feed, settle, script } = await listening();
    const later = upcomingItem(0, {
      id: 'later',
      familyName: 'The Lindqvist family',
      startsAt: new Date(NOW + 9 * 86_400_000).toISOString(),
    });
    const booked = script.book(later);
    expect(booked.patch.upcoming!.map((u) => u.id)).not.to.include('later');
    await feed(booked);
    await at(500, { settle });
    expect(said(el)).to.deep.equal(['New booking: The Lindqvist family, Fri, Oct 24, 10:00 AM']);
  });

  it('reads one message after a quiet half second, and not before', async () => {
    const { el, feed, settle, script, heard } = await listening();
    await feed(script.message(messageItem(5, { id: 'm', familyName: 'The Haddads' })));
    await at(499, { settle });
    expect(said(el)).to.deep.equal([], 'still waiting for more');
    await at(500, { settle });
    expect(heard).to.deep.equal([['New message from The Haddads']]);
  });

  it('sums up a burst that arrives over several frames, once', async () => {
    const { feed, settle, script, heard } = await listening();
    for (let i = 1; i <= 5; i++) {
      await at(i * 15, { settle });
      await feed(script.message(messageItem(10 + i, { id: `b${i}`, familyName: `Fam ${i}` })));
    }
    await at(75 + 500, { settle });
    await at(3_000, { settle });
    expect(heard).to.deep.equal([['5 new messages']]);
  });

  it('sums up a burst within one frame', async () => {
    const { feed, settle, script, heard } = await listening();
    const burst = [1, 2, 3, 4].map((i) => script.message(messageItem(10 + i, { id: `b${i}` })));
    await feed(script.payment(100), ...burst);
    await at(500, { settle });
    expect(heard).to.deep.equal([['4 new messages']]);
  });

  it("counts a burst in the consultant's digits", async () => {
    const snapshot = storySnapshot();
    const { el, feed, settle, script, heard } = await listening({
      ...snapshot,
      consultant: { ...snapshot.consultant, locale: 'ar-EG' },
    });
    await feed(...Array.from({ length: 12 }, (_, i) => script.message(messageItem(10 + i, { id: `b${i}` }))));
    await at(500, { settle });
    expect(heard).to.deep.equal([[`${(12).toLocaleString('ar-EG')} new messages`]]);
    expect(heard[0]![0]).to.equal('١٢ new messages');
    expect(region(el).querySelector('p [lang="ar-EG"]')!.textContent, 'read as Arabic').to.equal('١٢');
  });

  it('says a message and a booking that came apart within the window in one announcement', async () => {
    const { feed, settle, script, heard } = await listening();
    await feed(script.message(messageItem(5, { id: 'm', familyName: 'The Haddads' })));
    await at(300, { settle });
    await feed(script.book(upcomingItem(0, { id: 'b', familyName: 'The Okonkwo family' })));
    await at(700, { settle });
    expect(heard).to.deep.equal([], 'the booking started the quiet window again');
    await at(800, { settle });
    expect(heard).to.deep.equal([
      ['New message from The Haddads', 'New booking: The Okonkwo family, Today, 10:45 AM'],
    ]);
  });

  it('sums up each kind that came more than twice, in one announcement', async () => {
    const { feed, settle, script, heard } = await listening();
    for (let i = 0; i < 3; i++) {
      await at(i * 100, { settle });
      await feed(
        script.book(upcomingItem(0, { id: `b${i}` })),
        script.message(messageItem(10 + i, { id: `m${i}` })),
      );
    }
    await at(700, { settle });
    expect(heard).to.deep.equal([['3 new bookings', '3 new messages']]);
  });

  it('still announces a steady stream, every 2 s', async () => {
    const { feed, settle, script, heard } = await listening();
    for (let ms = 0; ms < 4_000; ms += 400) {
      await at(ms, { settle });
      await feed(script.message(messageItem(10 + ms, { id: `s${ms}` })));
    }
    await at(4_000, { settle });
    // Never a quiet half second: the messages of 0 to 1.6 s are said at 2 s, those of 2 to 3.6 s at 4 s.
    expect(heard).to.deep.equal([['5 new messages'], ['5 new messages']]);
  });

  it('does not announce history: events before it started, or a resync', async () => {
    const script = new DashboardScript();
    script.message(messageItem(1, { id: 'old' }));
    const { el, feed, settle } = await mount<FgLiveRegion>('fg-live-region');
    await feed(script.snapshotFrame());
    await at(1_000, { settle });
    expect(said(el)).to.deep.equal([]);
    script.book(upcomingItem(3, { id: 'later' }));
    await feed(script.snapshotFrame());
    await at(2_000, { settle });
    expect(said(el)).to.deep.equal([]);
  });

  it('announces a booking that reaches the page in the same frame as the dashboard it follows', async () => {
    const script = new DashboardScript();
    const { el, feed, status, settle } = await mount<FgLiveRegion>('fg-live-region');
    await status('live');
    await feed(
      script.snapshotFrame(),
      script.book(upcomingItem(0, { id: 'first', familyName: 'The Early family' })),
    );
    await at(500, { settle });
    expect(said(el)).to.deep.equal(['New booking: The Early family, Today, 10:45 AM']);
  });

  it('does not announce what a dashboard it joins late already showed', async () => {
    const script = new DashboardScript();
    const { el, feed, settle, store } = await mount<FgLiveRegion>('fg-live-region');
    await feed(
      script.snapshotFrame(),
      script.book(upcomingItem(0, { id: 'before', familyName: 'The Old family' })),
    );
    const late = document.createElement('fg-live-region') as FgLiveRegion;
    el.after(late);
    await settle();
    await at(2_000, { settle });
    expect(store.state.recentEvents.map((e) => e.subject.id)).to.deep.equal(
      ['before'],
      'still the last frame',
    );
    expect(said(late)).to.deep.equal([]);
    expect(said(el)).to.deep.equal(['New booking: The Old family, Today, 10:45 AM']);
  });

  it('taken off the page and put back, announces nothing that came while it was away', async () => {
    const { el, feed, settle, script, heard } = await listening();
    const provider = el.parentElement!;
    el.remove();
    await feed(script.message(messageItem(5, { id: 'a1', familyName: 'The Away-One family' })));
    await feed(script.message(messageItem(6, { id: 'a2', familyName: 'The Away-Two family' })));
    await at(600_000, { settle });
    provider.append(el);
    await settle();
    await at(603_000, { settle });
    expect(heard).to.deep.equal([], 'what came while it was away is history');
    await feed(script.message(messageItem(7, { id: 'back', familyName: 'The Back family' })));
    await at(603_500, { settle });
    expect(heard).to.deep.equal([['New message from The Back family']]);
  });

  it('taken off the page with news waiting, does not tell it when put back later', async () => {
    const { el, feed, settle, script, heard } = await listening();
    const provider = el.parentElement!;
    await feed(script.message(messageItem(5, { id: 'w', familyName: 'The Waiting family' })));
    await at(200, { settle });
    el.remove();
    await at(600_000, { settle });
    provider.append(el);
    await settle();
    await at(603_000, { settle });
    expect(heard).to.deep.equal([]);
  });

  it("given another consultant's client, neither tells the last one's waiting news nor leaves what it said to be read", async () => {
    const { el, feed, settle, script, heard } = await listening();
    await feed(script.message(messageItem(5, { id: 'said', familyName: 'The Told family' })));
    await at(600, { settle });
    expect(said(el)).to.deep.equal(['New message from The Told family']);
    await feed(script.message(messageItem(6, { id: 'waiting', familyName: 'The Private family' })));
    await at(700, { settle });
    const provider = el.parentElement as HTMLElement & { client: unknown };
    provider.client = createDashboardStore({ now: () => NOW });
    await settle();
    expect(said(el), 'nothing of the last consultant left in the region').to.deep.equal([]);
    await at(5_000, { settle });
    expect(heard.flat()).to.not.include('New message from The Private family');
    expect(said(el)).to.deep.equal([]);
  });

  it('moved on the page as news reaches it, still tells that news', async () => {
    const { el, feed, settle, script, heard, store } = await listening();
    // A page's own listener moves the region in the frame that brings the message, before
    // the region has rendered it.
    const unsubscribe = store.subscribe(
      (state) => state.snapshot?.seq,
      () => el.parentElement!.append(el),
    );
    await feed(script.message(messageItem(5, { id: 'm', familyName: 'The Movers' })));
    unsubscribe();
    await at(500, { settle });
    expect(heard).to.deep.equal([['New message from The Movers']]);
  });

  it('moved on the page, still tells the news it was waiting to tell', async () => {
    const { el, feed, settle, script, heard } = await listening();
    await feed(script.message(messageItem(5, { id: 'm', familyName: 'The Haddads' })));
    el.parentElement!.append(el);
    await at(500, { settle });
    expect(heard).to.deep.equal([['New message from The Haddads']]);
  });

  it('keeps news that came while the page was hidden, and tells it once the page is shown', async () => {
    // Screen readers do not read a live region in a tab in the background.
    const { feed, settle, script, heard } = await listening();
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'hidden' });
    try {
      await feed(script.message(messageItem(5, { id: 'h', familyName: 'The Hidden family' })));
      await at(600, { settle });
      await at(60_000, { settle });
      expect(heard).to.deep.equal([], 'nothing said to a page in the background');
    } finally {
      delete (document as unknown as Record<string, unknown>).visibilityState;
    }
    document.dispatchEvent(new Event('visibilitychange'));
    await at(60_100, { settle });
    expect(heard).to.deep.equal([['New message from The Hidden family']]);
  });

  it('names the day of a booking heard in the background as it is when the page is shown', async () => {
    const { feed, settle, script, heard } = await listening();
    // NOW is Wed 10:00 AM in New York; the booking is for Thu 9:00 AM.
    const startsAt = new Date(NOW + 23 * HOUR).toISOString();
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'hidden' });
    try {
      await feed(script.book(upcomingItem(0, { id: 'b', familyName: 'The Kim family', startsAt })));
      await at(600, { settle });
      await at(22.5 * HOUR, { settle }); // Thu 8:30 AM
    } finally {
      delete (document as unknown as Record<string, unknown>).visibilityState;
    }
    document.dispatchEvent(new Event('visibilitychange'));
    await at(22.5 * HOUR + 100, { settle });
    expect(heard).to.deep.equal([['New booking: The Kim family, Today, 9:00 AM']]);
  });

  it('reads family names as text', async () => {
    const { el, feed, settle, script } = await listening();
    await feed(script.message(messageItem(5, { id: 'x', familyName: '<b>Bold</b>' })));
    await at(500, { settle });
    expect(region(el).querySelector('b')).to.equal(null);
    expect(text(region(el))).to.equal('New message from <b>Bold</b>');
  });

  it('announces each change of connection once, and when it is live again', async () => {
    const { status, heard } = await listening();
    await status('offline');
    await status('reconnecting');
    await status('live');
    await status('stale');
    await status('reconnecting');
    await status('stale');
    await status('live');
    await status('expired');
    expect(heard).to.deep.equal([
      ['Offline: updates paused'],
      ['Back online'],
      ['Updates delayed'],
      ['Updates resumed'],
      ['Session expired: sign in again'],
    ]);
  });

  it('does not announce a brief reconnection, or the status it finds', async () => {
    const { el, status, settle, heard } = await listening();
    await status('reconnecting');
    await status('live');
    expect(heard).to.deep.equal([], 'a reconnection');
    await status('offline');
    const late = document.createElement('fg-live-region') as FgLiveRegion;
    el.after(late);
    await settle();
    expect(said(late)).to.deep.equal([], 'found offline');
    await status('live');
    expect(said(late)).to.deep.equal(['Back online']);
    late.remove();
  });
});
