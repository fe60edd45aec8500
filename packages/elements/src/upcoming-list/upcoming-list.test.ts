import { expect, fixture, html, nextFrame } from '@open-wc/testing';
import { emulateMedia } from '@web/test-runner-commands';
import type { UpcomingItem } from '@fg/protocol';
import type { DashboardStore } from '@fg/realtime';
import '../define/fg-upcoming-list.js';
import type { FgUpcomingList } from './upcoming-list.js';
import {
  CONSULTANT,
  DashboardScript,
  NOW,
  busySnapshot,
  emptySnapshot,
  storySnapshot,
  upcomingItem,
} from '../test/frames.js';
import { setClock } from '../format.js';
import {
  focusAt,
  largeText,
  layoutShiftDuring,
  layoutShiftSupported,
  mount,
  nodeCount,
  overflowing,
  startShown,
  text,
  textSpacing,
  expectWholeWhenLargeAndSpaced,
} from '../test/harness.js';

const list = (el: FgUpcomingList) => el.shadowRoot!.querySelector('[role="list"]')!;
const rows = (el: FgUpcomingList) => [...el.shadowRoot!.querySelectorAll<HTMLElement>('[role="listitem"]')];
const row = (el: FgUpcomingList, key: string) =>
  el.shadowRoot!.querySelector<HTMLElement>(`[data-key="${key}"]`)!;
/** A list, its scroller, and a wait for the sizes its scroller is told of. */
async function scrolling() {
  const { el } = await mount<FgUpcomingList>('fg-upcoming-list');
  const scroller = el.shadowRoot!.querySelector<HTMLElement>('.scroller')!;
  // Sizes are told after the layout of the frame that follows (after its animation frame callbacks).
  const laidOut = async () => {
    await el.updateComplete;
    await nextFrame();
    await nextFrame();
  };
  return { el, scroller, laidOut };
}
const fifty = (): UpcomingItem[] => Array.from({ length: 50 }, (_, i) => upcomingItem(i + 10));
/** Focuses a row: rows hold nothing focusable today, and one made focusable stands for what a row could hold. */
const focusRow = (el: FgUpcomingList, key: string) => {
  row(el, key).tabIndex = -1;
  row(el, key).focus();
};

/**
 * Scrolls the story's row s1 to the top of the view, books a consultation that sorts above it,
 * and checks that s1 stays where the person saw it.
 */
async function keepsRowAcrossBooking(el: FgUpcomingList, store: DashboardStore, script: DashboardScript) {
  await el.updateComplete;
  row(el, 's1').scrollIntoView({ block: 'start' });
  await nextFrame();
  const before = row(el, 's1').getBoundingClientRect().top;
  store.receive(script.book(upcomingItem(0, { id: 'soon', startsAt: new Date(NOW + 60_000).toISOString() })));
  await new Promise((resolve) => requestAnimationFrame(resolve));
  await el.updateComplete;
  expect(rows(el).map((r) => r.dataset.key)).to.deep.equal(['a1', 'a2', 'soon', 's1', 's2']);
  expect(row(el, 's1').getBoundingClientRect().top).to.be.closeTo(before, 0.5);
}

describe('<fg-upcoming-list>', () => {
  it('is a list named "Upcoming Consultations", busy with skeleton rows while loading', async () => {
    const { el } = await mount<FgUpcomingList>('fg-upcoming-list');
    expect(list(el).getAttribute('aria-labelledby')).to.equal('heading');
    expect(text(el.shadowRoot!.getElementById('heading'))).to.equal('Upcoming Consultations');
    expect(list(el).getAttribute('aria-busy')).to.equal('true');
    expect(rows(el)).to.have.length(0);
    expect(el.shadowRoot!.querySelectorAll('.row')).to.have.length(5);
    await expect(el).to.be.accessible();
  });

  it("cuts a long name at its end, not its start, when it is written in the other direction than the page's", async () => {
    const latin = 'The Montgomery-Richardson-Vanderbilt family of Westchester County, New York';
    const hebrew = 'משפחת מונטגומרי-ריצ׳רדסון-ונדרבילט מווסטצ׳סטר שבצפון מדינת ניו יורק';
    for (const [dir, name] of [
      ['rtl', latin],
      ['ltr', hebrew],
    ] as const) {
      // One line for the name and title (a narrower list gives them two or three, then cuts).
      const { el, feed } = await mount<FgUpcomingList>('fg-upcoming-list', 560);
      el.closest('div')!.dir = dir;
      const only = upcomingItem(0, {
        id: 'x',
        familyName: name,
        title: 'Sleep routines and bedtime planning',
      });
      await feed(new DashboardScript({ ...storySnapshot(), upcoming: [only] }).snapshotFrame());
      const names = row(el, 'x').querySelector('.ellipsis')!;
      expect(names.scrollWidth, `${dir}: the name is cut`).to.be.greaterThan(names.clientWidth);
      expect(startShown(names, name.slice(0, 3)), `${dir}: the name's start is shown`).to.equal(true);
    }
  });

  it('shows each consultation with its family, time and status', async () => {
    const { el, feed } = await mount<FgUpcomingList>('fg-upcoming-list');
    await feed(new DashboardScript().snapshotFrame());
    expect(rows(el)).to.have.length(5);
    expect(list(el).getAttribute('aria-busy')).to.equal('false');
    expect(text(row(el, 'a1'))).to.equal(
      'The Johnson family · Sleep routines Today, 9:40 AM · ends in 1 hr. Active',
    );
    expect(text(row(el, 's1'))).to.equal(
      'The Garcia family · Sleep routines Today, 10:45 AM · in 45 min. Scheduled',
    );
    expect(text(row(el, 's2'))).to.contain('Tomorrow, 12:00 PM');
    expect(text(row(el, 's3'))).to.contain('Sat, Oct 18, 10:00 AM');
    await expect(el).to.be.accessible();
  });

  it('gives every status chip the same box, so a consultation that starts changes no geometry', async () => {
    const { el, feed } = await mount<FgUpcomingList>('fg-upcoming-list', 360);
    await feed(new DashboardScript().snapshotFrame());
    const chips = rows(el).map((r) => r.querySelector('[part~="status"]')!);
    expect(new Set(chips.map((chip) => chip.textContent!.trim()))).to.deep.equal(
      new Set(['Active', 'Scheduled']),
    );
    const boxes = chips.map((chip) => {
      const box = chip.getBoundingClientRect();
      return { left: box.left, width: box.width, fits: chip.scrollWidth <= chip.clientWidth };
    });
    for (const box of boxes) expect(box).to.deep.equal(boxes[0]);
    expect(boxes[0]!.fits, '"Scheduled" fits its chip').to.equal(true);
  });

  it('shows the family, title and time whole in a narrow list, at 320 px and at 200% text', async () => {
    for (const [width, large] of [
      [320, false],
      [640, true],
      [320, true],
    ] as const) {
      largeText(large);
      const { el, feed } = await mount<FgUpcomingList>('fg-upcoming-list', width);
      await feed(new DashboardScript().snapshotFrame());
      const where = `${width} px${large ? ', 200% text' : ''}`;
      expect(overflowing(el), where).to.deep.equal([]);
      for (const item of rows(el)) {
        const [name, when] = item.querySelectorAll<HTMLElement>('.ellipsis');
        expect(name!.scrollHeight, `${where}: ${text(name)} not cut`).to.be.at.most(name!.clientHeight);
        expect(when!.clientHeight, `${where}: ${text(when)} shown`).to.be.above(0);
        expect(when!.getBoundingClientRect().bottom, where).to.be.at.most(
          item.getBoundingClientRect().bottom,
        );
      }
    }
  });

  it("shows the time whole in a narrow list under a reader's text spacing (WCAG 1.4.12), every row's text where it is in the others", async () => {
    for (const width of [320, 360, 400, 440]) {
      const { el, feed } = await mount<FgUpcomingList>('fg-upcoming-list', width);
      await feed(new DashboardScript().snapshotFrame());
      await textSpacing(el);
      const where = `${width} px, text spacing`;
      expect(overflowing(el), where).to.deep.equal([]);
      const tops = new Set<number>();
      for (const item of rows(el)) {
        const box = item.getBoundingClientRect();
        const when = item.querySelector<HTMLElement>('.when')!;
        expect(when.scrollHeight, `${where}: "${text(when)}" not cut`).to.be.at.most(when.clientHeight);
        expect(when.getBoundingClientRect().bottom, `${where}: "${text(when)}" in its row`).to.be.at.most(
          box.bottom + 0.5,
        );
        tops.add(Math.round(item.querySelector('.family')!.getBoundingClientRect().top - box.top));
      }
      // A time on one line or two: a time that changes never moves the row's text.
      expect(tops.size, `${where}: the family where it is in every row`).to.equal(1);
    }
  });

  it("cuts a time too long for its line with an ellipsis in a narrow list, and gives it a second line under a reader's text spacing", async () => {
    const snapshot = busySnapshot();
    // Marathi's date and relative time take more than one line at 320 px.
    const frame = new DashboardScript({
      ...snapshot,
      consultant: { ...snapshot.consultant, locale: 'mr-IN' },
    }).snapshotFrame();
    for (const [width, lines] of [
      [320, 1],
      [440, 1],
      [300, 2], // narrower still: the time has two lines of its own
    ] as const)
      for (const spaced of [false, true]) {
        const { el, feed } = await mount<FgUpcomingList>('fg-upcoming-list', width);
        await feed(frame);
        if (spaced) await textSpacing(el);
        const when = rows(el)
          .map((item) => item.querySelector<HTMLElement>('.when')!)
          .find((each) => text(each).includes('·'))!;
        // The lines it may take: past the last, "…" ends what it shows (the browser's line clamp).
        expect(
          getComputedStyle(when).webkitLineClamp,
          `${width} px, ${spaced ? 'text spacing' : 'normal'}`,
        ).to.equal(String(spaced ? 2 : lines));
      }
  });

  it("wraps its heading rather than run it out of the card at 200% text under a reader's text spacing (WCAG 1.4.12)", () =>
    expectWholeWhenLargeAndSpaced('fg-upcoming-list', 'h2', new DashboardScript().snapshotFrame()));

  it("fits every status chip in its row, above the time, in a narrow list at 200% text, with or without a reader's text spacing", async () => {
    for (const spacing of [false, true])
      for (const width of [240, 280, 320, 360, 400]) {
        largeText();
        const { el, feed } = await mount<FgUpcomingList>('fg-upcoming-list', width);
        await feed(new DashboardScript().snapshotFrame());
        if (spacing) await textSpacing(el);
        const where = `${width} px, 200% text${spacing ? ', text spacing' : ''}`;
        expect(overflowing(el), where).to.deep.equal([]);
        for (const item of rows(el)) {
          const box = item.getBoundingClientRect();
          const chip = item.querySelector('[part~="status"]')!;
          const inner = chip.getBoundingClientRect();
          expect(
            inner.left >= box.left - 0.5 && inner.right <= box.right + 0.5,
            `${where}: "${text(chip)}" across its row`,
          ).to.equal(true);
          const when = item.querySelector('.when')!.getBoundingClientRect();
          expect(inner.bottom, `${where}: "${text(chip)}" above the time`).to.be.at.most(when.top + 0.5);
          expect(when.bottom, `${where}: the time inside its row`).to.be.at.most(box.bottom + 0.5);
        }
      }
  });

  it("counts relative times from the server's clock, not this device's", async () => {
    const { el, feed, store } = await mount<FgUpcomingList>('fg-upcoming-list');
    const script = new DashboardScript();
    await feed(script.snapshotFrame());
    expect(text(row(el, 's1'))).to.contain('in 45 min');
    // The server's clock reads 15 min later than this device's.
    const { epoch, seq } = script.snapshot;
    await feed({ type: 'heartbeat', epoch, seq, serverTime: NOW + 15 * 60_000 });
    expect(store.clockOffset!()).to.equal(15 * 60_000);
    setClock(() => NOW + 60_000);
    await el.updateComplete;
    expect(text(row(el, 's1'))).to.contain('in 29 min');
  });

  it('shows an empty state, not an error, when nothing is upcoming', async () => {
    const { el, feed } = await mount<FgUpcomingList>('fg-upcoming-list');
    await feed(new DashboardScript(emptySnapshot()).snapshotFrame());
    expect(rows(el)).to.have.length(0);
    expect(text(el.shadowRoot!.querySelector('[part="empty"]'))).to.equal('No upcoming consultations');
    await expect(el).to.be.accessible();
  });

  it('lists the first five even with more than 99 upcoming', async () => {
    const { el, feed } = await mount<FgUpcomingList>('fg-upcoming-list');
    await feed(new DashboardScript(busySnapshot()).snapshotFrame());
    expect(rows(el)).to.have.length(5);
    await expect(el).to.be.accessible();
  });

  it('shows every row, and every later change, in a locale with digits of its own (Arabic in Egypt)', async () => {
    const consultant = { ...CONSULTANT, locale: 'ar-EG', timezone: 'Africa/Cairo', currency: 'EGP' };
    const script = new DashboardScript({ ...storySnapshot(), consultant });
    const { el, feed } = await mount<FgUpcomingList>('fg-upcoming-list');
    await feed(script.snapshotFrame());
    const long = new Intl.RelativeTimeFormat('ar-EG', { numeric: 'auto' });
    const short = new Intl.RelativeTimeFormat('ar-EG', { numeric: 'auto', style: 'short' });
    const day = (key: string) => text(row(el, key).querySelector('[part="time"]')).split(/,|،/)[0];
    const soon = (key: string) => text(row(el, key).querySelector('[part="relative"]'));
    // Now is Wednesday afternoon in Cairo.
    expect(rows(el).map((r) => r.dataset.key)).to.deep.equal(['a1', 'a2', 's1', 's2', 's3']);
    expect(day('a1')).to.equal(long.format(0, 'day'));
    // Arabic words in an English page, marked so that a screen reader reads them in Arabic.
    expect(row(el, 'a1').querySelector('[part="time"]')!.getAttribute('lang')).to.equal('ar-EG');
    expect(row(el, 's3').querySelector('[part="relative"] [lang="ar-EG"]')!.textContent).to.equal(soon('s3'));
    expect(day('s1')).to.equal(long.format(0, 'day'));
    expect(day('s2')).to.equal(long.format(1, 'day'));
    // Its day named "tomorrow" already, the time to it counts hours.
    expect(soon('s2')).to.equal(short.format(26, 'hour'));
    expect(soon('s3')).to.equal(short.format(3, 'day'));
    await feed(script.book(upcomingItem(24, { id: 'new', familyName: 'The New family' })));
    expect(rows(el).map((r) => r.dataset.key)).to.deep.equal(['a1', 'a2', 's1', 'new', 's2']);
    expect(day('new')).to.equal(long.format(1, 'day'));
    expect(soon('new')).to.equal(short.format(24, 'hour'));
  });

  it('replaces the empty state with the first booking', async () => {
    const script = new DashboardScript(emptySnapshot());
    const { el, feed } = await mount<FgUpcomingList>('fg-upcoming-list');
    await feed(script.snapshotFrame());
    await feed(script.book(upcomingItem(1, { id: 'first', familyName: 'The First family' })));
    expect(rows(el).map((r) => r.dataset.key)).to.deep.equal(['first']);
    expect(el.shadowRoot!.querySelector('[part="empty"]')).to.equal(null);
  });

  it('shows a booking in its place and a started consultation as "Active"', async () => {
    const script = new DashboardScript();
    const { el, feed } = await mount<FgUpcomingList>('fg-upcoming-list');
    await feed(script.snapshotFrame());
    const kim = row(el, 's2');
    await feed(
      script.book(
        upcomingItem(0, {
          id: 'new',
          familyName: 'The Okonkwo family',
          startsAt: new Date(NOW + 3_600_000).toISOString(),
        }),
      ),
    );
    expect(rows(el).map((r) => r.dataset.key)).to.deep.equal(['a1', 'a2', 's1', 'new', 's2']);
    expect(row(el, 's2')).to.equal(kim, 'the same element, moved, not rebuilt');
    await feed(script.start('s1'));
    expect(text(row(el, 's1').querySelector('[part~="status"]'))).to.equal('Active');
    expect(row(el, 's1').getAttribute('part')).to.contain('item-active');
  });

  it('renders family-written markup as text', async () => {
    const script = new DashboardScript(emptySnapshot());
    const { el, feed } = await mount<FgUpcomingList>('fg-upcoming-list');
    await feed(script.snapshotFrame());
    const familyName = '<img src=x onerror="window.__pwned=1"><b>Bold</b>';
    await feed(script.book(upcomingItem(1, { id: 'x', familyName, title: '<i>t</i>' })));
    expect(row(el, 'x').querySelector('img, b, i')).to.equal(null);
    expect(text(row(el, 'x').querySelector('[part="family"]'))).to.equal(familyName);
    expect((window as { __pwned?: number }).__pwned).to.equal(undefined);
  });

  it('dims stale and expired data but keeps it', async () => {
    const { el, feed, status } = await mount<FgUpcomingList>('fg-upcoming-list');
    await feed(new DashboardScript().snapshotFrame());
    const base = el.shadowRoot!.querySelector('[part="base"]')!;
    await status('stale');
    expect(base.classList.contains('dimmed')).to.equal(true);
    await status('expired');
    expect(base.classList.contains('dimmed')).to.equal(true);
    expect(rows(el)).to.have.length(5);
    await status('live');
    expect(base.classList.contains('dimmed')).to.equal(false);
  });

  it('causes no layout shift while bookings, starts and completions arrive (Chromium: WebKit has no Layout Instability API)', async function () {
    if (!layoutShiftSupported()) this.skip();
    const script = new DashboardScript();
    const { feed } = await mount<FgUpcomingList>('fg-upcoming-list');
    const shift = await layoutShiftDuring(async () => {
      await feed(script.snapshotFrame());
      await feed(
        script.book(upcomingItem(0, { id: 'b1', startsAt: new Date(NOW + 50 * 60_000).toISOString() })),
      );
      await feed(
        script.book(upcomingItem(0, { id: 'b2', startsAt: new Date(NOW + 5 * 60_000).toISOString() })),
      );
      await feed(script.start('b2'));
      await feed(script.completeConsultation());
    });
    expect(shift).to.equal(0);
  });

  it('re-renders only the item that changed, out of 50', async () => {
    const { el } = await mount<FgUpcomingList>('fg-upcoming-list');
    const items = fifty();
    el.items = items;
    await el.updateComplete;
    // And the scroller, holding more than it shows, has gone into the tab order.
    await nextFrame();
    await nextFrame();
    expect(rows(el)).to.have.length(50);
    const touched = new Set<string>();
    const observer = new MutationObserver((records) => {
      for (const record of records) {
        const node = record.target instanceof Element ? record.target : record.target.parentElement;
        touched.add(node?.closest<HTMLElement>('[data-key]')?.dataset.key ?? `outside:${node?.nodeName}`);
      }
    });
    observer.observe(el.shadowRoot!, {
      subtree: true,
      childList: true,
      characterData: true,
      attributes: true,
    });
    // A new array of new objects, as every patch brings; only item 30 differs.
    el.items = items.map((item, i) => (i === 20 ? { ...item, status: 'active' } : { ...item }));
    await el.updateComplete;
    await nextFrame();
    observer.disconnect();
    expect([...touched]).to.deep.equal([items[20]!.id]);
  });

  it('leaves no node behind when rows come and go, however often (lit/lit#5298)', async () => {
    const { el } = await mount<FgUpcomingList>('fg-upcoming-list');
    const base = fifty().slice(0, 5);
    el.items = base;
    await el.updateComplete;
    const before = nodeCount(el.shadowRoot!);
    for (let i = 0; i < 40; i++) {
      el.items = [upcomingItem(0, { id: `new${i}` }), ...base.slice(1), upcomingItem(99, { id: `last${i}` })];
      await el.updateComplete;
      el.items = i % 2 ? [] : base;
      await el.updateComplete;
    }
    el.items = base;
    await el.updateComplete;
    expect(nodeCount(el.shadowRoot!)).to.equal(before);
    expect(rows(el).map((r) => r.dataset.key)).to.deep.equal(base.map((item) => item.id));
  });

  it('moves the focus to the row now at its place when the focused row leaves, to the heading when none is left', async () => {
    const { el } = await mount<FgUpcomingList>('fg-upcoming-list');
    const [a, b, c, d] = fifty();
    el.items = [a!, b!, c!, d!];
    await el.updateComplete;
    focusRow(el, c!.id);
    el.items = [a!, b!, d!];
    await el.updateComplete;
    expect(focusAt(el)).to.equal(`row ${d!.id}`, 'the row that took its place');
    // The item in its place is new: its row is made in the same update, and takes the focus.
    const fresh = upcomingItem(5, { id: 'fresh' });
    el.items = [a!, b!, fresh];
    await el.updateComplete;
    expect(focusAt(el)).to.equal('row fresh');
    el.items = [a!];
    await el.updateComplete;
    expect(focusAt(el)).to.equal(`row ${a!.id}`, 'the last row');
    el.items = [];
    await el.updateComplete;
    expect(focusAt(el)).to.equal('h2');
  });

  it('keeps the focus on a row that moves to another place', async () => {
    const { el } = await mount<FgUpcomingList>('fg-upcoming-list');
    const [a, b, c] = fifty();
    el.items = [a!, b!, c!];
    await el.updateComplete;
    focusRow(el, c!.id);
    el.items = [c!, a!, b!];
    await el.updateComplete;
    expect(rows(el).map((r) => r.dataset.key)).to.deep.equal([c!.id, a!.id, b!.id]);
    expect(focusAt(el)).to.equal(`row ${c!.id}`);
  });

  it('puts its scroller in the tab order while it holds more than it shows, for a keyboard to scroll it', async () => {
    const { el, scroller, laidOut } = await scrolling();
    el.items = fifty().slice(0, 8);
    await laidOut();
    expect(scroller.getAttribute('tabindex')).to.equal('0');
    // An overflowing region nobody can focus is what axe's scrollable-region-focusable finds.
    await expect(el).to.be.accessible();
    el.items = fifty().slice(0, 5);
    await laidOut();
    expect(scroller.getAttribute('tabindex'), 'five rows, all in view').to.equal(null);
    el.items = fifty().slice(0, 8);
    el.style.setProperty('--fg-upcoming-list-height', '40rem');
    await laidOut();
    expect(scroller.getAttribute('tabindex'), 'a taller scroller: all in view').to.equal(null);
  });

  it('keeps the focus on its scroller when an update leaves it nothing to scroll', async () => {
    const { el, scroller, laidOut } = await scrolling();
    el.items = fifty().slice(0, 8);
    await laidOut();
    scroller.focus();
    expect(focusAt(el)).to.equal('div');
    el.items = fifty().slice(0, 3);
    await laidOut();
    // Out of the tab order (it holds nothing hidden), yet the keyboard goes on from where it was.
    expect(focusAt(el)).to.equal('div');
    expect(scroller.tabIndex).to.equal(-1);
    scroller.blur();
    el.items = fifty().slice(0, 2);
    await laidOut();
    expect(scroller.getAttribute('tabindex'), 'no longer focused').to.equal(null);
  });

  it('keeps what the person sees when items are added above the scrolled view of the list', async () => {
    const { el } = await mount<FgUpcomingList>('fg-upcoming-list');
    el.style.setProperty('--fg-upcoming-list-height', '240px');
    el.items = fifty();
    await el.updateComplete;
    const scroller = el.shadowRoot!.querySelector<HTMLElement>('.scroller')!;
    row(el, 'u20').scrollIntoView({ block: 'start' });
    scroller.scrollTop += 7; // part of a row hidden, as a person leaves it
    await nextFrame();
    const before = row(el, 'u20').getBoundingClientRect().top;
    const scrolledBefore = scroller.scrollTop;
    const earlier = [0, 1, 2].map((i) => upcomingItem(i, { id: `early${i}` }));
    el.items = [...earlier, ...fifty()];
    await el.updateComplete;
    await nextFrame();
    expect(row(el, 'u20').getBoundingClientRect().top).to.be.closeTo(before, 0.5);
    expect(scroller.scrollTop).to.be.greaterThan(scrolledBefore);
  });

  it('keeps what the person sees when the page around the list is scrolled past its start', async () => {
    const script = new DashboardScript();
    const store = (await import('@fg/realtime')).createDashboardStore({ snapshot: script.snapshot });
    const outer = await fixture<HTMLDivElement>(html`
      <div style="height: 200px; overflow: auto; width: 600px">
        <div style="height: 150px"></div>
        <fg-dashboard-provider .client=${store}><fg-upcoming-list></fg-upcoming-list></fg-dashboard-provider>
        <div style="height: 600px"></div>
      </div>
    `);
    await keepsRowAcrossBooking(outer.querySelector('fg-upcoming-list')!, store, script);
    store.close();
  });

  it('keeps what the person sees when the page scrolls in its body (the root element does not scroll)', async () => {
    const script = new DashboardScript();
    const store = (await import('@fg/realtime')).createDashboardStore({ snapshot: script.snapshot });
    const { documentElement: root, body } = document;
    root.style.overflow = 'hidden';
    body.style.cssText = 'margin: 0; height: 100vh; overflow: auto';
    try {
      const page = await fixture<HTMLDivElement>(html`
        <div style="width: 600px">
          <div style="height: 150px"></div>
          <fg-dashboard-provider .client=${store}
            ><fg-upcoming-list></fg-upcoming-list
          ></fg-dashboard-provider>
          <div style="height: 200vh"></div>
        </div>
      `);
      await keepsRowAcrossBooking(page.querySelector('fg-upcoming-list')!, store, script);
      expect(body.scrollTop, 'the body scrolled').to.be.greaterThan(0);
    } finally {
      root.style.overflow = body.style.cssText = '';
      store.close();
    }
  });

  it('shows new items at the top when the list is not scrolled', async () => {
    const { el } = await mount<FgUpcomingList>('fg-upcoming-list');
    el.style.setProperty('--fg-upcoming-list-height', '240px');
    el.items = fifty();
    await el.updateComplete;
    el.items = [upcomingItem(0, { id: 'early' }), ...fifty()];
    await el.updateComplete;
    expect(el.shadowRoot!.querySelector<HTMLElement>('.scroller')!.scrollTop).to.equal(0);
  });

  it('fades a new booking in under 300 ms with a brief highlight, and other new rows without one', async () => {
    const script = new DashboardScript();
    const { el, feed } = await mount<FgUpcomingList>('fg-upcoming-list');
    await feed(script.snapshotFrame());
    expect(el.shadowRoot!.getAnimations()).to.have.length(0, 'the first data does not animate');
    await feed(script.book(upcomingItem(0, { id: 'b', startsAt: new Date(NOW + 60_000).toISOString() })));
    // One animation per new row, of opacity alone; a booking also shows the highlight color while it runs.
    const booked = row(el, 'b');
    const [fade, ...more] = booked.getAnimations();
    expect(more).to.have.length(0);
    const effect = fade!.effect as KeyframeEffect;
    const frames = effect.getKeyframes();
    const opaqueAt = frames.find((f) => f.offset! > 0 && f.opacity !== undefined)!.offset!;
    expect(opaqueAt * (effect.getTiming().duration as number)).to.be.below(300, 'faded in within 300 ms');
    expect(frames[0]!.opacity).to.equal('0');
    expect(
      frames.every((f) =>
        Object.keys(f).every((key) => /^(offset|computedOffset|easing|composite|opacity)$/.test(key)),
      ),
    ).to.equal(true, 'animates opacity alone');
    const plain = getComputedStyle(row(el, 'a1')).backgroundColor;
    expect(getComputedStyle(booked).backgroundColor, 'shows the highlight color').to.not.equal(plain);
    const finished = new Promise((resolve) => fade!.addEventListener('finish', resolve, { once: true }));
    fade!.finish();
    await finished;
    expect(getComputedStyle(booked).backgroundColor, 'and then no more').to.equal(plain);
    // The rows that moved down do not animate: only what is new does.
    for (const other of rows(el).filter((r) => r.dataset.key !== 'b')) {
      expect(other.getAnimations(), other.dataset.key).to.have.length(0);
    }
    // A row that appears for another reason (here: a host's own data) fades in without the highlight.
    el.items = [...script.snapshot.upcoming, upcomingItem(8, { id: 'other' })];
    await el.updateComplete;
    const [otherFade, ...others] = row(el, 'other').getAnimations();
    expect(others).to.have.length(0);
    expect((otherFade!.effect as KeyframeEffect).getTiming().duration as number).to.be.below(300);
    expect(getComputedStyle(row(el, 'other')).backgroundColor, 'no highlight').to.equal(plain);
  });

  it('does not fade in a consultation pulled into the list as another goes: it was not booked now', async () => {
    const script = new DashboardScript();
    const { el, feed } = await mount<FgUpcomingList>('fg-upcoming-list');
    await feed(script.snapshotFrame());
    const completed = script.completeConsultation();
    // The server's list is its first five: the sixth comes up as the finished one goes.
    const later = upcomingItem(9, { id: 'later', startsAt: new Date(NOW + 86_400_000).toISOString() });
    (completed.patch.upcoming as UpcomingItem[]).push(later);
    script.snapshot = { ...script.snapshot, upcoming: completed.patch.upcoming! };
    await feed(completed);
    expect(rows(el).map((r) => r.dataset.key)).to.include('later');
    expect(el.shadowRoot!.getAnimations()).to.have.length(0);
    // What an event brings still fades in.
    await feed(script.book(upcomingItem(0, { id: 'b', startsAt: new Date(NOW + 60_000).toISOString() })));
    expect(row(el, 'b').getAnimations()).to.have.length(1);
  });

  it('does not animate under prefers-reduced-motion (Chromium: the WebKit driver cannot emulate media)', async function () {
    try {
      await emulateMedia({ reducedMotion: 'reduce' });
    } catch {
      this.skip();
    }
    try {
      const script = new DashboardScript();
      const { el, feed } = await mount<FgUpcomingList>('fg-upcoming-list');
      await feed(script.snapshotFrame());
      await feed(script.book(upcomingItem(0, { id: 'b', startsAt: new Date(NOW + 60_000).toISOString() })));
      expect(el.shadowRoot!.getAnimations()).to.have.length(0);
      expect(getComputedStyle(row(el, 'a1')).transitionDuration).to.equal('0s');
    } finally {
      await emulateMedia({ reducedMotion: 'no-preference' });
    }
  });
});
