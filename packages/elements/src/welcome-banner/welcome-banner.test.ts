import { expect } from '@open-wc/testing';
import '../define/fg-welcome-banner.js';
import type { FgWelcomeBanner } from './welcome-banner.js';
import { DashboardScript, busySnapshot, emptySnapshot, upcomingItem } from '../test/frames.js';
import {
  baseline,
  expectLayoutRoot,
  largeText,
  layoutShiftDuring,
  layoutShiftSupported,
  mount,
  overflowing,
  text,
  textSpacing,
  type Mounted,
  expectWholeWhenLargeAndSpaced,
  PHONE_WIDTHS,
} from '../test/harness.js';

const region = (el: FgWelcomeBanner) => el.shadowRoot!.querySelector('section[aria-label="Welcome"]')!;
const fact = (el: FgWelcomeBanner, name: string) =>
  text(el.shadowRoot!.querySelector(`[part~="fact-${name}"]`));

describe('<fg-welcome-banner>', () => {
  it('is a region named "Welcome" with skeletons while loading', async () => {
    const { el } = await mount<FgWelcomeBanner>('fg-welcome-banner');
    expect(region(el)).to.not.equal(null);
    expect(el.shadowRoot!.querySelectorAll('.skeleton')).to.have.length(4);
    // A heading that says what it is while its name loads (headings are how many people move around).
    expect(text(el.shadowRoot!.querySelector('h2'))).to.equal('Welcome back, Loading');
    await expect(el).to.be.accessible();
  });

  it("greets the consultant by name with the story's upcoming, active and revenue", async () => {
    const { el, feed } = await mount<FgWelcomeBanner>('fg-welcome-banner');
    await feed(new DashboardScript().snapshotFrame());
    expect(text(el.shadowRoot!.querySelector('h2'))).to.equal('Welcome back, Dr. Maya Chen');
    expect(fact(el, 'upcoming')).to.equal('3 upcoming consultations');
    expect(fact(el, 'active')).to.equal('2 active consultations');
    expect(fact(el, 'revenue')).to.equal('$5,000 revenue this month');
    // What a person reads, line breaks and all: "3 upcoming", not "3\nupcoming".
    expect((region(el) as HTMLElement).innerText).to.match(/\b3 upcoming consultations\b/);
    await expect(el).to.be.accessible();
  });

  it('reads naturally with nothing yet', async () => {
    const { el, feed } = await mount<FgWelcomeBanner>('fg-welcome-banner');
    await feed(new DashboardScript(emptySnapshot()).snapshotFrame());
    expect(fact(el, 'upcoming')).to.equal('0 upcoming consultations');
    expect(fact(el, 'revenue')).to.equal('$0 revenue this month');
    await expect(el).to.be.accessible();
  });

  it('shows "99+" above 99 with the exact count for screen readers', async () => {
    const { el, feed } = await mount<FgWelcomeBanner>('fg-welcome-banner');
    await feed(new DashboardScript(busySnapshot()).snapshotFrame());
    const upcoming = el.shadowRoot!.querySelector('[part~="fact-upcoming"] [part="value"]')!;
    expect(upcoming.querySelector('[aria-hidden="true"]')!.textContent).to.equal('99+');
    expect(upcoming.querySelector('.vh')!.textContent).to.equal('120');
    await expect(el).to.be.accessible();
  });

  it('shrinks a long amount to fit its column at a phone width, never cutting it short', async () => {
    const script = new DashboardScript();
    const { el, feed } = await mount<FgWelcomeBanner>('fg-welcome-banner', 320);
    await feed(script.snapshotFrame());
    const value = el.shadowRoot!.querySelector<HTMLElement>('.revenue .value')!;
    await feed(script.payment(300_002_345));
    expect(text(value)).to.equal('$3,005,023.45');
    expect(parseFloat(getComputedStyle(value).fontSize)).to.be.below(16);
    expect(value.scrollWidth, 'nothing cut off').to.be.at.most(value.clientWidth);
    // On the same baseline as the number beside it.
    const active = el.shadowRoot!.querySelector('.active .value')!;
    expect(baseline(value)).to.be.closeTo(baseline(active), 1);
  });

  it("fits the amount again when a reader's text spacing comes after it was shown", async () => {
    const { el, feed } = await mount<FgWelcomeBanner>('fg-welcome-banner', 360);
    await feed(new DashboardScript().snapshotFrame());
    const value = el.shadowRoot!.querySelector<HTMLElement>('.revenue .value')!;
    await textSpacing(el);
    expect(value.scrollWidth, '"$5,000" whole').to.be.at.most(value.clientWidth);
  });

  it("fits the amount to its column at 200% text under a reader's text spacing, its font already at its largest", () =>
    expectWholeWhenLargeAndSpaced(
      'fg-welcome-banner',
      '.revenue .value',
      new DashboardScript(busySnapshot()).snapshotFrame(),
      PHONE_WIDTHS,
    ));

  it("marks its numbers with the consultant's language, for a voice to read them in it", async () => {
    const { el, feed } = await mount<FgWelcomeBanner>('fg-welcome-banner');
    const snapshot = busySnapshot();
    await feed(
      new DashboardScript({
        ...snapshot,
        consultant: { ...snapshot.consultant, locale: 'de-DE' },
      }).snapshotFrame(),
    );
    for (const name of ['upcoming', 'active', 'revenue']) {
      const value = el.shadowRoot!.querySelector(`.${name} .value`)!;
      expect(value.querySelector('[lang]')?.getAttribute('lang'), name).to.equal('de-DE');
      expect(text(value.querySelector('[lang]')), name).to.equal(text(value));
    }
  });

  it('keeps every fact whole and apart at 320 px with 200% text: one fact a row', async () => {
    largeText();
    const { el, feed } = await mount<FgWelcomeBanner>('fg-welcome-banner', 320);
    await feed(new DashboardScript(busySnapshot()).snapshotFrame());
    expect(overflowing(el)).to.deep.equal([]);
    const facts = [...el.shadowRoot!.querySelectorAll('[part~="fact"]')].map((f) =>
      f.getBoundingClientRect(),
    );
    for (const [i, box] of facts.entries())
      for (const other of facts.slice(i + 1))
        expect(box.right <= other.left || box.bottom <= other.top, 'facts apart').to.equal(true);
  });

  it('follows a booking, a consultation starting and a payment', async () => {
    const script = new DashboardScript();
    const { el, feed } = await mount<FgWelcomeBanner>('fg-welcome-banner');
    await feed(script.snapshotFrame());
    await feed(script.book(upcomingItem(9, { id: 'new' })));
    expect(fact(el, 'upcoming')).to.equal('4 upcoming consultations');
    await feed(script.start('s1'));
    expect(fact(el, 'active')).to.equal('3 active consultations');
    expect(fact(el, 'upcoming')).to.equal('3 upcoming consultations');
    await feed(script.payment(25_000));
    expect(fact(el, 'revenue')).to.equal('$5,250 revenue this month');
  });

  it('renders the consultant name as text, whatever it contains', async () => {
    const script = new DashboardScript();
    script.snapshot = {
      ...script.snapshot,
      consultant: { ...script.snapshot.consultant, name: '<b>Bold</b>' },
    };
    const { el, feed } = await mount<FgWelcomeBanner>('fg-welcome-banner');
    await feed(script.snapshotFrame());
    expect(el.shadowRoot!.querySelector('h2 b')).to.equal(null);
    expect(text(el.shadowRoot!.querySelector('[part="name"]'))).to.equal('<b>Bold</b>');
  });

  it('dims stale and expired data but keeps it', async () => {
    const { el, feed, status } = await mount<FgWelcomeBanner>('fg-welcome-banner');
    await feed(new DashboardScript().snapshotFrame());
    await status('live');
    expect(region(el).classList.contains('dimmed')).to.equal(false);
    await status('stale');
    expect(region(el).classList.contains('dimmed')).to.equal(true);
    await status('expired');
    expect(region(el).classList.contains('dimmed')).to.equal(true);
    expect(fact(el, 'revenue')).to.equal('$5,000 revenue this month');
  });

  /** The banner's height with 1, then 2, upcoming and active consultations, at each width of `widths`: where they differ. */
  async function heightChanges({ el, feed }: Mounted<FgWelcomeBanner>, widths: number[]) {
    const wrapper = el.parentElement!.parentElement!;
    const frame = new DashboardScript().snapshotFrame();
    let seq = frame.seq;
    const heightWith = async (count: number) => {
      await feed({ ...frame, seq: ++seq, counts: { ...frame.counts, upcoming: count, active: count } });
      return el.getBoundingClientRect().height;
    };
    const changes: string[] = [];
    for (const width of widths) {
      wrapper.style.width = `${width}px`;
      const [one, two] = [await heightWith(1), await heightWith(2)];
      if (one !== two) changes.push(`${width} px: ${one} -> ${two}`);
    }
    return changes;
  }
  const widths = (from: number, to: number) =>
    Array.from({ length: (to - from) / 4 + 1 }, (_, i) => from + i * 4);

  it('keeps its height at every width when a count goes from 1 to 2 (a label that wraps in the plural)', async () => {
    expect(
      await heightChanges(await mount<FgWelcomeBanner>('fg-welcome-banner'), widths(240, 900)),
    ).to.deep.equal([]);
  });

  it("keeps its height when a count goes from 1 to 2 under a reader's text spacing too, at a phone's widths", async () => {
    const mounted = await mount<FgWelcomeBanner>('fg-welcome-banner');
    await mounted.feed(new DashboardScript().snapshotFrame());
    await textSpacing(mounted.el);
    expect(await heightChanges(mounted, widths(240, 480))).to.deep.equal([]);
  });

  it("keeps every label within its fact under a reader's text spacing at a phone's width (WCAG 1.4.12)", async () => {
    const { el, feed } = await mount<FgWelcomeBanner>('fg-welcome-banner');
    const wrapper = el.parentElement!.parentElement!;
    const frame = new DashboardScript().snapshotFrame();
    await textSpacing(el);
    const found: string[] = [];
    for (const count of [1, 2])
      for (const width of widths(320, 400)) {
        wrapper.style.width = `${width}px`;
        await feed({
          ...frame,
          seq: frame.seq + width * 2 + count,
          counts: { ...frame.counts, upcoming: count },
        });
        // The amount is fitted again in the frame after the one that lays out the new width.
        for (let i = 0; i < 3; i++) await new Promise(requestAnimationFrame);
        found.push(...overflowing(el).map((cut) => `${count}, ${width} px: ${cut}`));
      }
    expect(found).to.deep.equal([]);
  });

  it('lays out a new number in its own box, not the page', async () => {
    const { el, feed } = await mount<FgWelcomeBanner>('fg-welcome-banner');
    await feed(new DashboardScript().snapshotFrame());
    const values = el.shadowRoot!.querySelectorAll('[part~="value"]');
    expect(values).to.have.length(3);
    for (const value of values) expectLayoutRoot(value, '32px');
  });

  it('causes no layout shift while data and updates arrive (Chromium: WebKit has no Layout Instability API)', async function () {
    if (!layoutShiftSupported()) this.skip();
    const script = new DashboardScript();
    const { feed } = await mount<FgWelcomeBanner>('fg-welcome-banner');
    const shift = await layoutShiftDuring(async () => {
      await feed(script.snapshotFrame());
      await feed(script.book(upcomingItem(7, { id: 'b7' })));
      await feed(script.start('s1'));
      await feed(script.payment(1_234_567));
    });
    expect(shift).to.equal(0);
  });
});
