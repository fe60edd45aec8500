import { expect, fixture, html } from '@open-wc/testing';
import { createDashboardStore } from '@fg/realtime';
import '../define/fg-connection-status.js';
import type { FgConnectionStatus } from './connection-status.js';
import type { FgDashboardProvider } from '../provider/provider.js';
import { setClock } from '../format.js';
import { DashboardScript, NOW } from '../test/frames.js';
import { largeText, mount, overflowing, text, textSpacing } from '../test/harness.js';

const line = (el: FgConnectionStatus) => text(el);

describe('<fg-connection-status>', () => {
  afterEach(() => setClock(undefined));

  it('says it is connecting before anything is heard', async () => {
    const { el } = await mount<FgConnectionStatus>('fg-connection-status');
    expect(line(el)).to.equal('Connecting…');
    await expect(el).to.be.accessible();
  });

  it('says "Live" while frames flow, with no age', async () => {
    const { el, feed, status } = await mount<FgConnectionStatus>('fg-connection-status');
    await feed(new DashboardScript().snapshotFrame());
    await status('live');
    expect(line(el)).to.equal('Live');
    expect(el.shadowRoot!.querySelector('[part="base"]')!.getAttribute('aria-label')).to.equal('Connection');
    await expect(el).to.be.accessible();
    // The dot's halo stays inside the element: nothing a card or a page around it would cut.
    const dot = el.shadowRoot!.querySelector('[part="indicator"]')!;
    const halo = parseFloat(getComputedStyle(dot).boxShadow.split(' ').pop()!);
    expect(halo, 'a halo').to.be.above(0);
    expect(dot.getBoundingClientRect().left - halo).to.be.at.least(el.getBoundingClientRect().left);
  });

  for (const [status, label] of [
    ['reconnecting', 'Reconnecting…'],
    ['stale', 'Updates delayed'],
    ['offline', 'Offline'],
  ] as const) {
    it(`says "${label}" when ${status}, with how long ago the last update came, kept fresh`, async () => {
      const m = await mount<FgConnectionStatus>('fg-connection-status');
      await m.feed(new DashboardScript().snapshotFrame());
      await m.status(status);
      expect(line(m.el)).to.equal(`${label} · updated 0 sec. ago`);
      // The consultant's words are marked with their language (here English as well).
      expect(m.el.shadowRoot!.querySelector('[part="detail"] [lang]')!.getAttribute('lang')).to.equal(
        'en-US',
      );
      setClock(() => NOW + 12_000);
      await m.el.updateComplete;
      expect(line(m.el)).to.equal(`${label} · updated 12 sec. ago`);
      setClock(() => NOW + 125_000);
      await m.el.updateComplete;
      expect(line(m.el)).to.equal(`${label} · updated 2 min. ago`);
      await expect(m.el).to.be.accessible();
    });
  }

  it('never says "updated now" in the last half second before a minute', async () => {
    const m = await mount<FgConnectionStatus>('fg-connection-status');
    await m.feed(new DashboardScript().snapshotFrame());
    await m.status('offline');
    setClock(() => NOW + 58_600);
    await m.el.updateComplete;
    setClock(() => NOW + 59_600);
    await m.el.updateComplete;
    expect(line(m.el)).to.equal('Offline · updated 59 sec. ago');
    setClock(() => NOW + 60_000);
    await m.el.updateComplete;
    expect(line(m.el)).to.equal('Offline · updated 1 min. ago');
  });

  it('says the session expired, with a way to sign in again', async () => {
    const m = await mount<FgConnectionStatus>('fg-connection-status');
    const provider = m.el.closest('fg-dashboard-provider') as FgDashboardProvider;
    provider.loginUrl = '/login?from=dashboard';
    await provider.updateComplete;
    await m.feed(new DashboardScript().snapshotFrame());
    await m.status('expired');
    expect(line(m.el)).to.equal('Session expired · updated 0 sec. ago Sign in again');
    const detail = m.el.shadowRoot!.querySelector<HTMLElement>('.detail')!;
    expect(detail.clientWidth, 'the age whole where there is room').to.be.at.least(detail.scrollWidth);
    expect(m.el.shadowRoot!.querySelector('a')!.getAttribute('href')).to.equal('/login?from=dashboard');
    await expect(m.el).to.be.accessible();
  });

  it('links no login URL that is no web page (javascript:, data:)', async () => {
    const m = await mount<FgConnectionStatus>('fg-connection-status');
    const provider = m.el.closest('fg-dashboard-provider') as FgDashboardProvider;
    await m.feed(new DashboardScript().snapshotFrame());
    await m.status('expired');
    for (const url of ['javascript:alert(1)', 'data:text/html,x', 'https://example.com/login']) {
      provider.loginUrl = url;
      await provider.updateComplete;
      await m.el.updateComplete;
      const link = m.el.shadowRoot!.querySelector('a');
      expect(link?.getAttribute('href') ?? null, url).to.equal(url.startsWith('https:') ? url : null);
    }
  });

  it('at a phone width, keeps the status and the link whole and in view; the age gives way', async () => {
    const m = await mount<FgConnectionStatus>('fg-connection-status', 300);
    const provider = m.el.closest('fg-dashboard-provider') as FgDashboardProvider;
    provider.loginUrl = '/login';
    await provider.updateComplete;
    await m.feed(new DashboardScript().snapshotFrame());
    await m.status('expired');
    const box = provider.parentElement!.getBoundingClientRect();
    const link = m.el.shadowRoot!.querySelector('a')!;
    expect(link.getBoundingClientRect().right).to.be.at.most(box.right);
    expect(link.scrollWidth).to.be.at.most(link.clientWidth + 1);
    const label = m.el.shadowRoot!.querySelector<HTMLElement>('.label')!;
    expect(label.scrollWidth).to.be.at.most(label.clientWidth);
    const detail = m.el.shadowRoot!.querySelector<HTMLElement>('.detail')!;
    expect(detail.scrollWidth, 'the age is cut short').to.be.above(detail.clientWidth);
    expect(m.el.getBoundingClientRect().right).to.be.at.most(box.right);
  });

  it('at a phone width with 200% text, keeps the status and the link whole and in view: the link moves to a line of its own', async () => {
    largeText();
    const m = await mount<FgConnectionStatus>('fg-connection-status', 320);
    const provider = m.el.closest('fg-dashboard-provider') as FgDashboardProvider;
    provider.loginUrl = '/login';
    await provider.updateComplete;
    await m.feed(new DashboardScript().snapshotFrame());
    await m.status('expired');
    const box = provider.parentElement!.getBoundingClientRect();
    const link = m.el.shadowRoot!.querySelector('a')!;
    const label = m.el.shadowRoot!.querySelector<HTMLElement>('.label')!;
    expect(link.getBoundingClientRect().right, 'the link in view').to.be.at.most(box.right);
    expect(link.scrollWidth, 'the link whole').to.be.at.most(link.clientWidth + 1);
    expect(label.scrollWidth, 'the status whole').to.be.at.most(label.clientWidth + 1);
    expect(link.getBoundingClientRect().top, 'the link below the status').to.be.at.least(
      label.getBoundingClientRect().bottom,
    );
    expect(link.getBoundingClientRect().left, "the link under the status's words").to.be.closeTo(
      label.getBoundingClientRect().left,
      0.5,
    );
    expect(m.el.getBoundingClientRect().right).to.be.at.most(box.right);
  });

  it("keeps the link to sign in again whole and in view down to 240 px, at 200% text or with a reader's text spacing: it moves to a line of its own, its words wrap", async () => {
    for (const large of [false, true])
      for (const spacing of [false, true])
        for (const width of [240, 260, 280, 300, 320, 400]) {
          largeText(large);
          const m = await mount<FgConnectionStatus>('fg-connection-status', width);
          const provider = m.el.closest('fg-dashboard-provider') as FgDashboardProvider;
          provider.loginUrl = '/login';
          await provider.updateComplete;
          await m.feed(new DashboardScript().snapshotFrame());
          await m.status('expired');
          if (spacing) await textSpacing(m.el);
          const where = `${width} px, ${large ? 200 : 100}% text${spacing ? ', text spacing' : ''}`;
          const link = m.el.shadowRoot!.querySelector('a')!;
          expect(link.getBoundingClientRect().right, `${where}: the link in view`).to.be.at.most(
            provider.parentElement!.getBoundingClientRect().right + 0.5,
          );
          // Only the age may be cut short; the status and the link are whole.
          expect(overflowing(m.el, '.detail'), where).to.deep.equal([]);
        }
  });

  it("shows its status whole down to 240 px at 200% text, with or without a reader's text spacing: it wraps rather than be cut", async () => {
    for (const spacing of [false, true])
      for (const width of [240, 260, 280, 300, 320])
        for (const status of ['connecting', 'live', 'reconnecting', 'stale', 'offline'] as const) {
          largeText();
          const m = await mount<FgConnectionStatus>('fg-connection-status', width);
          await m.feed(new DashboardScript().snapshotFrame());
          await m.status(status);
          if (spacing) await textSpacing(m.el);
          const where = `${status}, ${width} px, 200% text${spacing ? ', text spacing' : ''}`;
          const label = m.el.shadowRoot!.querySelector<HTMLElement>('.label')!;
          expect(label.scrollWidth, `${where}: "${text(label)}" whole`).to.be.at.most(label.clientWidth + 1);
          expect(label.scrollHeight, `${where}: "${text(label)}" whole`).to.be.at.most(
            label.clientHeight + 1,
          );
          expect(m.el.getBoundingClientRect().right, where).to.be.at.most(
            m.el.parentElement!.parentElement!.getBoundingClientRect().right + 0.5,
          );
        }
  });

  it('shares one timer between every relative label, and leaves it when gone', async () => {
    const started: number[] = [];
    const stopped: number[] = [];
    const realSet = window.setInterval;
    const realClear = window.clearInterval;
    window.setInterval = ((handler: TimerHandler, ms?: number) => {
      const id = realSet(handler, ms);
      started.push(id);
      return id;
    }) as typeof window.setInterval;
    window.clearInterval = ((id?: number) => {
      if (id !== undefined) stopped.push(id);
      realClear(id);
    }) as typeof window.clearInterval;
    try {
      const store = createDashboardStore({ snapshot: new DashboardScript().snapshot });
      store.setStatus('stale');
      const wrapper = await fixture<HTMLDivElement>(html`
        <div>
          <fg-dashboard-provider .client=${store}>
            <fg-connection-status></fg-connection-status>
            <fg-connection-status></fg-connection-status>
            <fg-connection-status></fg-connection-status>
          </fg-dashboard-provider>
        </div>
      `);
      const all = [...wrapper.querySelectorAll('fg-connection-status')];
      await Promise.all(all.map((el) => el.updateComplete));
      const running = started.filter((id) => !stopped.includes(id));
      expect(running).to.have.length(1);
      wrapper.remove();
      expect(started.filter((id) => !stopped.includes(id))).to.have.length(0);
      store.close();
    } finally {
      window.setInterval = realSet;
      window.clearInterval = realClear;
    }
  });
});
