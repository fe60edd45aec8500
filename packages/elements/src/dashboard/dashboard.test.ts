import { expect, nextFrame } from '@open-wc/testing';
import '../define/fg-dashboard.js';
import type { FgDashboard } from './dashboard.js';
import { setClock } from '../format.js';
import { DashboardScript, NOW, messageItem, upcomingItem } from '../test/frames.js';
import {
  largeText,
  layoutShiftDuring,
  layoutShiftSupported,
  mount,
  overflowing,
  text,
  WIDGET_TAGS,
} from '../test/harness.js';

const widget = (el: FgDashboard, tag: string) => el.shadowRoot!.querySelector(tag)!;

describe('<fg-dashboard>', () => {
  afterEach(() => setClock(undefined));

  it('lays out every widget and exactly one live region', async () => {
    const { el } = await mount<FgDashboard>('fg-dashboard', 1200);
    for (const tag of WIDGET_TAGS) {
      expect(widget(el, tag), tag).to.not.equal(null);
    }
    expect(el.shadowRoot!.querySelectorAll('fg-live-region')).to.have.length(1);
  });

  it('ends where its last widget ends, at every width: the live region takes no row of the grid', async () => {
    for (const width of [360, 800, 1200]) {
      const { el, feed } = await mount<FgDashboard>('fg-dashboard', width);
      await feed(new DashboardScript().snapshotFrame());
      const shown = [...el.shadowRoot!.querySelectorAll('[part="base"] > :not(fg-live-region)')];
      const last = Math.max(...shown.map((child) => child.getBoundingClientRect().bottom));
      expect(el.getBoundingClientRect().bottom, `${width} px`).to.be.closeTo(last, 0.5);
    }
  });

  it("shows the story's consultant everywhere at once, accessibly, wide and narrow", async () => {
    for (const width of [1200, 800, 380]) {
      const { el, feed, status } = await mount<FgDashboard>('fg-dashboard', width);
      await feed(new DashboardScript().snapshotFrame());
      await status('live');
      expect(text(widget(el, 'fg-welcome-banner'))).to.contain('3 upcoming consultations');
      expect(text(widget(el, 'fg-stats-cards'))).to.contain('Family Clients 6');
      await expect(el).to.be.accessible();
    }
  });

  it('changes the right widgets for each event', async () => {
    const script = new DashboardScript();
    const { el, feed, settle } = await mount<FgDashboard>('fg-dashboard', 1200);
    await feed(script.snapshotFrame());
    await feed(script.book(upcomingItem(0, { id: 'b', familyName: 'The Okonkwo family' })));
    expect(text(widget(el, 'fg-upcoming-list'))).to.contain('The Okonkwo family');
    expect(text(widget(el, 'fg-welcome-banner'))).to.contain('4 upcoming consultations');
    await feed(script.message(messageItem(5, { id: 'haddad', familyName: 'The Haddads', preview: 'Hello' })));
    expect(text(widget(el, 'fg-recent-messages'))).to.contain('The Haddads');
    expect(
      widget(el, 'fg-unread-badge').shadowRoot!.querySelector('[role="img"]')!.getAttribute('aria-label'),
    ).to.equal('Unread messages: 1');
    await feed(script.payment(25_000));
    expect(text(widget(el, 'fg-stats-cards'))).to.contain('$5,250');
    expect(text(widget(el, 'fg-welcome-banner'))).to.contain('$5,250');
    await feed(script.addTask());
    expect(text(widget(el, 'fg-tasks-badge'))).to.contain('3');
    await feed(script.completeConsultation());
    expect(text(widget(el, 'fg-completed-count'))).to.contain('15');
    // The region announces the news once it stops coming for half a second.
    setClock(() => NOW + 500);
    await settle();
    const said = widget(el, 'fg-live-region').shadowRoot!.querySelector('[role="status"]')!.textContent;
    expect(said).to.contain('New message from The Haddads');
  });

  it("exports every widget's parts as <widget part>-<part>, which a page's stylesheet reaches", async () => {
    const { el, feed, status } = await mount<FgDashboard>('fg-dashboard', 1200);
    el.parentElement!.setAttribute('login-url', '/login');
    const script = new DashboardScript();
    await feed(script.snapshotFrame());
    await feed(script.message(messageItem(5, { id: 'm', familyName: 'The Haddads' })));
    // Every part each widget shows (scheduled and active rows, an unread message and its
    // button while live, the sign-in link once expired), under the name the dashboard gives it.
    const names: string[] = [];
    const collect = () => {
      for (const child of el.shadowRoot!.querySelectorAll<HTMLElement>('[exportparts]')) {
        const outer = child.getAttribute('part')!;
        const map = new Map(
          child
            .getAttribute('exportparts')!
            .split(',')
            .map((pair) => pair.split(':') as [string, string]),
        );
        for (const node of child.shadowRoot!.querySelectorAll('[part]'))
          for (const part of node.getAttribute('part')!.split(' ')) {
            expect(map.get(part), `<${child.localName}> part ${part}`).to.equal(`${outer}-${part}`);
            names.push(map.get(part)!);
          }
      }
    };
    await status('live');
    collect();
    await status('expired');
    collect();
    expect(names).to.include.members([
      'banner-fact-revenue',
      'connection-status-login-link',
      'tasks-badge-count',
      'stats-card-revenue',
      'upcoming-status-scheduled',
      'upcoming-status-active',
      'messages-item-unread',
      'messages-mark-read',
    ]);
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(`
      fg-dashboard::part(stats-card-revenue) { outline: 3px solid rgb(1, 2, 3); }
      fg-dashboard::part(upcoming-status-active) { color: rgb(4, 5, 6); }
      fg-dashboard::part(connection-status-login-link) { color: rgb(7, 8, 9); }
    `);
    document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
    try {
      const inner = (tag: string, selector: string) =>
        getComputedStyle(widget(el, tag).shadowRoot!.querySelector(selector)!);
      expect(inner('fg-stats-cards', '[part~=card-revenue]').outlineColor).to.equal('rgb(1, 2, 3)');
      expect(inner('fg-stats-cards', '[part~=card-active]').outlineColor).to.not.equal('rgb(1, 2, 3)');
      expect(inner('fg-upcoming-list', '[part~=status-active]').color).to.equal('rgb(4, 5, 6)');
      expect(inner('fg-upcoming-list', '[part~=status-scheduled]').color).to.not.equal('rgb(4, 5, 6)');
      expect(inner('fg-connection-status', '[part=login-link]').color).to.equal('rgb(7, 8, 9)');
    } finally {
      document.adoptedStyleSheets = document.adoptedStyleSheets.filter((s) => s !== sheet);
    }
  });

  it('keeps the status bar one size whatever the connection says, at every width', async () => {
    for (const width of [380, 620, 700, 800, 1100]) {
      const { el, feed, status } = await mount<FgDashboard>('fg-dashboard', width);
      // With a sign-in link once expired: the longest status there is.
      el.parentElement!.setAttribute('login-url', '/login');
      await feed(new DashboardScript().snapshotFrame());
      const bar = el.shadowRoot!.querySelector<HTMLElement>('[part=bar]')!;
      const stats = widget(el, 'fg-stats-cards');
      await status('live');
      const live = { bar: bar.getBoundingClientRect().height, stats: stats.getBoundingClientRect().top };
      // The longest lines: an age after the status, and the sign-in link.
      for (const next of ['reconnecting', 'offline', 'stale', 'expired', 'live'] as const) {
        await status(next);
        expect(
          { bar: bar.getBoundingClientRect().height, stats: stats.getBoundingClientRect().top },
          `${width} px, ${next}`,
        ).to.deep.equal(live);
      }
    }
  });

  it('reflows at 320 px and at 200% text: nothing cut short or past its edge, every control in view', async () => {
    for (const [width, large] of [
      [320, false],
      [760, true],
      [320, true],
    ] as const) {
      largeText(large);
      const script = new DashboardScript();
      const { el, feed, status } = await mount<FgDashboard>('fg-dashboard', width);
      el.parentElement!.setAttribute('login-url', '/login');
      await feed(script.snapshotFrame());
      await feed(
        script.message(messageItem(5, { id: 'haddad', familyName: 'The Haddads', preview: 'Hello' })),
      );
      await status('live');
      const where = `${width} px${large ? ', 200% text' : ''}`;
      expect(el.scrollWidth, where).to.be.at.most(el.clientWidth);
      expect(overflowing(el, '[part~="preview"]'), where).to.deep.equal([]);
      const edge = Math.min(document.documentElement.clientWidth, el.getBoundingClientRect().right);
      const messages = widget(el, 'fg-recent-messages').shadowRoot!;
      const buttons = [...messages.querySelectorAll('button')];
      expect(buttons, where).to.have.length(1);
      for (const button of buttons) {
        const box = button.getBoundingClientRect();
        expect(box.left >= 0 && box.right <= edge, `${where}: the button in view`).to.equal(true);
      }
    }
  });

  it('causes no layout shift while the data and a stream of updates arrive (Chromium: WebKit has no Layout Instability API)', async function () {
    if (!layoutShiftSupported()) this.skip();
    const script = new DashboardScript();
    const { feed, status } = await mount<FgDashboard>('fg-dashboard', 1200);
    await nextFrame();
    const shift = await layoutShiftDuring(async () => {
      await feed(script.snapshotFrame());
      await status('live');
      for (let i = 0; i < 3; i++) {
        await feed(
          script.book(
            upcomingItem(0, {
              id: `b${i}`,
              startsAt: new Date(Date.parse(script.snapshot.upcoming[2]!.startsAt) - 60_000).toISOString(),
            }),
          ),
        );
        await feed(script.message(messageItem(10 + i, { id: `new${i}` })));
        await feed(script.payment(1_050));
        await feed(script.associateFamily());
        await feed(script.addTask());
      }
      await feed(script.start('s1'), script.completeConsultation());
      await status('stale');
      await status('live');
    });
    expect(shift).to.equal(0);
  });
});
