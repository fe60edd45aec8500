import { expect } from '@open-wc/testing';
import '../define/fg-stats-cards.js';
import type { FgStatsCards } from './stats-cards.js';
import { DashboardScript, busySnapshot, emptySnapshot } from '../test/frames.js';
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
  expectWholeWhenLargeAndSpaced,
  PHONE_WIDTHS,
} from '../test/harness.js';

function card(el: FgStatsCards, name: string) {
  const group = [...el.shadowRoot!.querySelectorAll('[role="group"]')].find(
    (g) => el.shadowRoot!.getElementById(g.getAttribute('aria-labelledby')!)?.textContent === name,
  );
  expect(group, `a group named ${name}`).to.not.equal(undefined);
  return {
    value: text(group!.querySelector('[part~="value"]')),
    shown: group!.querySelector('[part~="value"] [aria-hidden="true"]')?.textContent ?? null,
  };
}

describe('<fg-stats-cards>', () => {
  it('is four named groups with skeletons while loading', async () => {
    const { el } = await mount<FgStatsCards>('fg-stats-cards');
    const groups = el.shadowRoot!.querySelectorAll('[role="group"]');
    expect(groups).to.have.length(4);
    expect(el.shadowRoot!.querySelectorAll('.skeleton')).to.have.length(4);
    expect(card(el, 'Family Clients').value).to.equal('Loading');
    await expect(el).to.be.accessible();
  });

  it('shows the story numbers as text: 6 families, 2 active, 14 completed, $5,000', async () => {
    const { el, feed } = await mount<FgStatsCards>('fg-stats-cards');
    await feed(new DashboardScript().snapshotFrame());
    expect(card(el, 'Family Clients').value).to.equal('6');
    expect(card(el, 'Active Consultations').value).to.equal('2');
    expect(card(el, 'Completed Consultations').value).to.equal('14');
    expect(card(el, 'Monthly Revenue').value).to.equal('$5,000');
    expect(el.shadowRoot!.querySelector('.skeleton')).to.equal(null);
    await expect(el).to.be.accessible();
  });

  it('shows zeros, not errors, for a consultant with no data', async () => {
    const { el, feed } = await mount<FgStatsCards>('fg-stats-cards');
    await feed(new DashboardScript(emptySnapshot()).snapshotFrame());
    expect(card(el, 'Family Clients').value).to.equal('0');
    expect(card(el, 'Monthly Revenue').value).to.equal('$0');
    await expect(el).to.be.accessible();
  });

  it('shows "99+" above 99 and keeps the exact number for screen readers', async () => {
    const { el, feed } = await mount<FgStatsCards>('fg-stats-cards');
    await feed(new DashboardScript(busySnapshot()).snapshotFrame());
    const families = card(el, 'Family Clients');
    expect(families.shown).to.equal('99+');
    expect(families.value).to.equal('99+230');
    expect(el.shadowRoot!.querySelector('.vh')!.textContent).to.equal('230');
    expect(card(el, 'Completed Consultations').value).to.contain('1,500');
    await expect(el).to.be.accessible();
  });

  it('shrinks a long amount to fit its card at a phone width, never cutting it short', async () => {
    const script = new DashboardScript();
    const { el, feed } = await mount<FgStatsCards>('fg-stats-cards', 320);
    await feed(script.snapshotFrame());
    const value = el.shadowRoot!.querySelector<HTMLElement>('.revenue .value')!;
    const size = () => parseFloat(getComputedStyle(value).fontSize);
    expect(size(), '$5,000 keeps the full size').to.equal(28);
    await feed(script.payment(300_002_345));
    expect(text(value)).to.equal('$3,005,023.45');
    expect(size()).to.be.below(28);
    expect(value.scrollWidth, 'nothing cut off').to.be.at.most(value.clientWidth);
    expect(size(), 'much smaller').to.be.below(20);
    // On the same baseline as the number beside it.
    const completed = el.shadowRoot!.querySelector('.completed .value')!;
    expect(baseline(value)).to.be.closeTo(baseline(completed), 1);
  });

  it('shrinks an amount in Hebrew no more than the same amount in English: direction marks take no room', async () => {
    const sizes: number[] = [];
    for (const [locale, currency] of [
      ['en-US', 'USD'],
      ['he-IL', 'ILS'],
    ] as const) {
      const snapshot = emptySnapshot();
      const { el, feed } = await mount<FgStatsCards>('fg-stats-cards', 320);
      await feed(
        new DashboardScript({
          ...snapshot,
          consultant: { ...snapshot.consultant, locale, currency },
          revenue: { ...snapshot.revenue, currency, amountMinor: 300_002_345 },
        }).snapshotFrame(),
      );
      const value = el.shadowRoot!.querySelector<HTMLElement>('.revenue .value')!;
      expect(value.textContent, locale).to.match(/3,000,023\.45/);
      sizes.push(parseFloat(getComputedStyle(value).fontSize));
    }
    expect(sizes[1], 'one character more than "$3,005,023.45", not three').to.be.at.least(
      (sizes[0]! * 13) / 15,
    );
  });

  it("fits the amount to its card under a reader's own text spacing (WCAG 1.4.12), at a phone width", async () => {
    const { el, feed } = await mount<FgStatsCards>('fg-stats-cards', 320);
    // As a reading extension sets it on the page: inherited by everything inside the widget.
    el.style.cssText = 'letter-spacing: 0.12em; word-spacing: 0.16em; line-height: 1.5';
    await feed(new DashboardScript().snapshotFrame());
    const value = el.shadowRoot!.querySelector<HTMLElement>('.revenue .value')!;
    expect(text(value)).to.equal('$5,000');
    expect(value.scrollWidth, '"$5,000" whole').to.be.at.most(value.clientWidth);
    await feed(new DashboardScript().payment(300_002_345));
    expect(value.scrollWidth, '"$3,005,023.45" whole').to.be.at.most(value.clientWidth);
  });

  it("fits the amount again when a reader's text spacing comes after it was shown", async () => {
    const { el, feed } = await mount<FgStatsCards>('fg-stats-cards', 320);
    await feed(new DashboardScript().snapshotFrame());
    const value = el.shadowRoot!.querySelector<HTMLElement>('.revenue .value')!;
    await textSpacing(el);
    expect(value.scrollWidth, '"$5,000" whole').to.be.at.most(value.clientWidth);
    expect(text(value)).to.equal('$5,000');
  });

  it("fits the amount to its card at 200% text under a reader's text spacing, its font already at its largest", () =>
    expectWholeWhenLargeAndSpaced(
      'fg-stats-cards',
      '.revenue .value',
      new DashboardScript(busySnapshot()).snapshotFrame(),
      PHONE_WIDTHS,
    ));

  it('cuts no label or number short at 320 px with 200% text: one card a row', async () => {
    largeText();
    const { el, feed } = await mount<FgStatsCards>('fg-stats-cards', 320);
    await feed(new DashboardScript(busySnapshot()).snapshotFrame());
    expect(overflowing(el)).to.deep.equal([]);
    expect(card(el, 'Completed Consultations').shown).to.equal('99+');
  });

  it("wraps every label rather than run it out of its card at 200% text under a reader's text spacing (WCAG 1.4.12)", async () => {
    for (const width of [240, 280, 320, 360, 400]) {
      largeText();
      const { el, feed } = await mount<FgStatsCards>('fg-stats-cards', width);
      await feed(new DashboardScript(busySnapshot()).snapshotFrame());
      await textSpacing(el);
      for (const label of el.shadowRoot!.querySelectorAll('[part~="label"]'))
        expect(label.scrollWidth, `${width} px: "${text(label)}" whole`).to.be.at.most(label.clientWidth);
    }
  });

  it('keeps the values of a row in line when a label takes two lines', async () => {
    for (const width of [360, 700]) {
      const { el, feed } = await mount<FgStatsCards>('fg-stats-cards', width);
      await feed(new DashboardScript().snapshotFrame());
      const tops = new Map<number, number[]>();
      for (const group of el.shadowRoot!.querySelectorAll('[role="group"]')) {
        const row = Math.round(group.getBoundingClientRect().top);
        const value = group.querySelector('[part~="value"]')!.getBoundingClientRect().top;
        tops.set(row, [...(tops.get(row) ?? []), value]);
      }
      // The labels' text, not their boxes (which all have room for two lines).
      const lines = [...el.shadowRoot!.querySelectorAll('[part~="label"]')].map((label) => {
        const range = document.createRange();
        range.selectNodeContents(label);
        return range.getBoundingClientRect().height;
      });
      expect(Math.max(...lines), `${width} px: a label that wraps`).to.be.above(Math.min(...lines));
      for (const values of tops.values()) expect(new Set(values).size, `${width} px: ${values}`).to.equal(1);
    }
  });

  it('updates the matching card on each event: family associated, payment, consultation started', async () => {
    const script = new DashboardScript();
    const { el, feed } = await mount<FgStatsCards>('fg-stats-cards');
    await feed(script.snapshotFrame());
    await feed(script.associateFamily());
    expect(card(el, 'Family Clients').value).to.equal('7');
    await feed(script.payment(25_050));
    expect(card(el, 'Monthly Revenue').value).to.equal('$5,250.50');
    await feed(script.start('s1'));
    expect(card(el, 'Active Consultations').value).to.equal('3');
    await feed(script.completeConsultation());
    expect(card(el, 'Completed Consultations').value).to.equal('15');
  });

  it('does not re-render for events outside its slice', async () => {
    const script = new DashboardScript();
    const { el, feed } = await mount<FgStatsCards>('fg-stats-cards');
    await feed(script.snapshotFrame());
    let renders = 0;
    const render = el.render.bind(el);
    el.render = () => {
      renders++;
      return render();
    };
    await feed(script.addTask());
    expect(renders).to.equal(0);
    await feed(script.associateFamily());
    expect(renders).to.equal(1);
  });

  it('dims stale and expired data but keeps showing it', async () => {
    const script = new DashboardScript();
    const { el, feed, status } = await mount<FgStatsCards>('fg-stats-cards');
    await feed(script.snapshotFrame());
    await status('live');
    const base = el.shadowRoot!.querySelector('[part="base"]')!;
    expect(base.classList.contains('dimmed')).to.equal(false);
    await status('stale');
    expect(base.classList.contains('dimmed')).to.equal(true);
    expect(card(el, 'Family Clients').value).to.equal('6');
    await expect(el).to.be.accessible();
    await status('expired');
    expect(base.classList.contains('dimmed')).to.equal(true);
    expect(card(el, 'Monthly Revenue').value).to.equal('$5,000');
  });

  it('lays out a new number in its own box, not the page', async () => {
    const script = new DashboardScript();
    const { el, feed } = await mount<FgStatsCards>('fg-stats-cards');
    await feed(script.snapshotFrame());
    const values = el.shadowRoot!.querySelectorAll('[part~="value"]');
    expect(values).to.have.length(4);
    for (const value of values) expectLayoutRoot(value, '36px');
  });

  it('causes no layout shift while data and updates arrive (Chromium: WebKit has no Layout Instability API)', async function () {
    if (!layoutShiftSupported()) this.skip();
    const script = new DashboardScript();
    const { feed } = await mount<FgStatsCards>('fg-stats-cards');
    const shift = await layoutShiftDuring(async () => {
      await feed(script.snapshotFrame());
      await feed(script.associateFamily());
      await feed(script.payment(123_456));
      await feed(script.start('s1'));
      await feed(script.completeConsultation());
    });
    expect(shift).to.equal(0);
  });
});
