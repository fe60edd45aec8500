/** The behaviour every count badge shares, run against each of them. */
import { expect } from '@open-wc/testing';
import { a11ySnapshot } from '@web/test-runner-commands';
import type { EventFrame } from '@fg/protocol';
import type { LitElement } from 'lit';
import { DashboardScript, busySnapshot, emptySnapshot, storySnapshot } from './frames.js';
import {
  expectLayoutRoot,
  largeText,
  layoutShiftDuring,
  layoutShiftSupported,
  mount,
  overflowing,
  text,
  textSpacing,
} from './harness.js';

interface AccessibilityNode {
  role: string;
  name: string;
  children?: AccessibilityNode[];
}

export interface BadgeCase {
  tag: string;
  /** The accessible name before the number. */
  name: string;
  /** The count in the story's snapshot, and in the busy one (above 99). */
  story: number;
  busy: number;
  /** The event that raises the count by one. */
  raise: (script: DashboardScript) => EventFrame;
  /** An event that must not re-render it. */
  unrelated: (script: DashboardScript) => EventFrame;
}

export function countBadgeSuite(c: BadgeCase): void {
  const image = (el: LitElement) => el.shadowRoot!.querySelector('[role="img"]')!;
  const count = (el: LitElement) => text(el.shadowRoot!.querySelector('[part="count"]'));

  describe(`<${c.tag}>`, () => {
    it(`is named "${c.name}" and says it is loading`, async () => {
      const { el } = await mount(c.tag);
      expect(image(el).getAttribute('aria-label')).to.equal(`${c.name}: loading`);
      expect(el.shadowRoot!.querySelector('.skeleton')).to.not.equal(null);
      await expect(el).to.be.accessible();
    });

    it('shows the count, with the number in its name', async () => {
      const { el, feed } = await mount(c.tag);
      await feed(new DashboardScript().snapshotFrame());
      expect(count(el)).to.equal(String(c.story));
      expect(image(el).getAttribute('aria-label')).to.equal(`${c.name}: ${c.story}`);
      await expect(el).to.be.accessible();
    });

    it('shows zero', async () => {
      const { el, feed } = await mount(c.tag);
      await feed(new DashboardScript(emptySnapshot()).snapshotFrame());
      expect(count(el)).to.equal('0');
      expect(image(el).getAttribute('aria-label')).to.equal(`${c.name}: 0`);
      await expect(el).to.be.accessible();
    });

    it('shows "99+" above 99 and the exact number in its name', async () => {
      const { el, feed } = await mount(c.tag);
      await feed(new DashboardScript(busySnapshot()).snapshotFrame());
      expect(count(el)).to.equal('99+');
      expect(image(el).getAttribute('aria-label')).to.equal(`${c.name}: ${c.busy.toLocaleString('en-US')}`);
      await expect(el).to.be.accessible();
    });

    it("says its number in English in its English name, and shows it in the consultant's locale", async () => {
      const { el, feed } = await mount(c.tag);
      const snapshot = busySnapshot();
      await feed(
        new DashboardScript({
          ...snapshot,
          consultant: { ...snapshot.consultant, locale: 'ar-EG' },
        }).snapshotFrame(),
      );
      expect(image(el).getAttribute('aria-label')).to.equal(`${c.name}: ${c.busy.toLocaleString('en-US')}`);
      const shown = el.shadowRoot!.querySelector('[part="count"]')!;
      expect(shown.getAttribute('lang')).to.equal('ar-EG');
      expect(text(shown)).to.equal(`${new Intl.NumberFormat('ar-EG').format(99)}+`);
    });

    it('is one image in the accessibility tree, its visible "99+" not read besides its name (Chromium: the WebKit driver gives no tree)', async function () {
      const { feed } = await mount(c.tag);
      await feed(new DashboardScript(busySnapshot()).snapshotFrame());
      let tree: AccessibilityNode;
      try {
        tree = (await a11ySnapshot({})) as unknown as AccessibilityNode;
      } catch {
        this.skip();
      }
      const nodes: AccessibilityNode[] = [];
      const walk = (node: AccessibilityNode) => (nodes.push(node), node.children?.forEach(walk));
      walk(tree);
      const name = `${c.name}: ${c.busy.toLocaleString('en-US')}`;
      expect(nodes.filter((n) => n.role === 'image').map((n) => n.name)).to.deep.equal([name]);
      expect(JSON.stringify(tree)).not.to.contain('99+');
    });

    it('stays in a narrow place at 200% text: its label wraps, its count stays whole', async () => {
      largeText();
      const { el, feed } = await mount(c.tag, 320);
      await feed(new DashboardScript(busySnapshot()).snapshotFrame());
      const place = el.parentElement!.parentElement!.getBoundingClientRect(); // the div around the provider
      expect(el.getBoundingClientRect().right, 'inside its place').to.be.at.most(place.right + 0.5);
      expect(overflowing(el)).to.deep.equal([]);
      expect(count(el)).to.equal('99+');
    });

    it("stays in its place down to 240 px at 200% text, with or without a reader's text spacing: its label breaks, inside a word if it must", async () => {
      for (const spacing of [false, true])
        for (const width of [240, 260, 280, 300, 320]) {
          largeText();
          const { el, feed } = await mount(c.tag, width);
          await feed(new DashboardScript(busySnapshot()).snapshotFrame());
          if (spacing) await textSpacing(el);
          const where = `${width} px, 200% text${spacing ? ', text spacing' : ''}`;
          const place = el.parentElement!.parentElement!.getBoundingClientRect();
          expect(el.getBoundingClientRect().right, `${where}: inside its place`).to.be.at.most(
            place.right + 0.5,
          );
          expect(overflowing(el), where).to.deep.equal([]);
          expect(count(el), where).to.equal('99+');
        }
    });

    it(`keeps its pill, "99+" too, in its slot and its size as the count changes, under a reader's text spacing (WCAG 1.4.12)`, async () => {
      const { el, feed } = await mount(c.tag);
      await feed(new DashboardScript().snapshotFrame());
      await textSpacing(el);
      const slot = el.shadowRoot!.querySelector('.slot')!;
      const { width } = el.getBoundingClientRect();
      const start = slot.getBoundingClientRect().left;
      let seq = storySnapshot().seq;
      for (const n of [3, 0, 5, 42, 150, 3]) {
        const snapshot = storySnapshot();
        const counts = { ...snapshot.counts, unreadMessages: n, tasksDueToday: n, completed: n };
        await feed(new DashboardScript({ ...snapshot, seq: ++seq, counts }).snapshotFrame());
        const pill = el.shadowRoot!.querySelector('[part="count"]')!.getBoundingClientRect();
        const box = slot.getBoundingClientRect();
        const host = el.getBoundingClientRect();
        expect(count(el), 'shown').to.equal(n > 99 ? '99+' : String(n));
        expect(pill.left, `${n}: its number where it was`).to.be.closeTo(start, 0.5);
        expect(pill.right - box.right, `${n}: px past its slot`).to.be.at.most(0.5);
        expect(pill.right - host.right, `${n}: px past the badge`).to.be.at.most(0.5);
        expect(host.width, `${n}: the badge's width`).to.be.closeTo(width, 0.5);
      }
      expect(overflowing(el)).to.deep.equal([]);
      // The room kept for "99+" is neither read nor copied.
      expect((image(el) as HTMLElement).innerText).to.not.contain('99+');
    });

    it('follows its event, and only its event', async () => {
      const script = new DashboardScript();
      const { el, feed } = await mount(c.tag);
      await feed(script.snapshotFrame());
      let renders = 0;
      const spied = el as unknown as { render(): unknown };
      const render = spied.render.bind(el);
      spied.render = () => {
        renders++;
        return render();
      };
      await feed(c.unrelated(script));
      expect(renders).to.equal(0);
      await feed(c.raise(script));
      expect(renders).to.equal(1);
      expect(count(el)).to.equal(String(c.story + 1));
    });

    it('dims stale and expired counts but keeps them', async () => {
      const { el, feed, status } = await mount(c.tag);
      await feed(new DashboardScript().snapshotFrame());
      await status('stale');
      expect(image(el).classList.contains('dimmed')).to.equal(true);
      await status('expired');
      expect(image(el).classList.contains('dimmed')).to.equal(true);
      expect(count(el)).to.equal(String(c.story));
      await status('live');
      expect(image(el).classList.contains('dimmed')).to.equal(false);
    });

    it('lays out a new count in its own box, not the page', async () => {
      const { el, feed } = await mount(c.tag);
      await feed(new DashboardScript().snapshotFrame());
      expectLayoutRoot(el.shadowRoot!.querySelector('[part~="count"]')!.parentElement!, '24px');
    });

    it('causes no layout shift as the count grows past 9 and 99 (Chromium: WebKit has no Layout Instability API)', async function () {
      if (!layoutShiftSupported()) this.skip();
      const script = new DashboardScript();
      const { feed } = await mount(c.tag);
      const shift = await layoutShiftDuring(async () => {
        await feed(script.snapshotFrame());
        for (let i = 0; i < 12; i++) await feed(c.raise(script));
        const busy = new DashboardScript({ ...busySnapshot(), seq: script.snapshot.seq + 50 });
        await feed(busy.snapshotFrame());
      });
      expect(shift).to.equal(0);
    });
  });
}
