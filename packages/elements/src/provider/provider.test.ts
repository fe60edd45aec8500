import { expect, fixture, html, nextFrame } from '@open-wc/testing';
import { ContextConsumer, ContextProvider } from '@lit/context';
import { LitElement } from 'lit';
import { createDashboardStore, type DashboardClient } from '@fg/realtime';
import { dashboardClientContext } from '../context.js';
import '../define/fg-dashboard-provider.js';
import '../define/fg-stats-cards.js';
import type { FgDashboardProvider } from './provider.js';
import type { FgStatsCards } from '../stats-cards/stats-cards.js';
import { DashboardScript } from '../test/frames.js';
import { text } from '../test/harness.js';
import { demoToken, serverUrl, simulate, until } from '../test/server.js';

const familyClients = (cards: FgStatsCards) =>
  text(cards.shadowRoot!.querySelector('[part~="card-family-clients"] [part="value"]'));

describe('<fg-dashboard-provider>', () => {
  it('gives its client to every widget below it, through shadow roots, and swaps it', async () => {
    const a = createDashboardStore({ snapshot: new DashboardScript().snapshot });
    const b = createDashboardStore({
      snapshot: {
        ...new DashboardScript().snapshot,
        counts: { ...new DashboardScript().snapshot.counts, familyClients: 42 },
      },
    });
    const provider = await fixture<FgDashboardProvider>(
      html`<fg-dashboard-provider .client=${a}
        ><div><fg-stats-cards></fg-stats-cards></div
      ></fg-dashboard-provider>`,
    );
    const cards = provider.querySelector('fg-stats-cards')!;
    await cards.updateComplete;
    expect(provider.client).to.equal(a);
    expect(familyClients(cards)).to.equal('6');
    provider.client = b;
    await provider.updateComplete;
    await cards.updateComplete;
    expect(familyClients(cards)).to.equal('42');
    a.close();
    b.close();
  });

  it("reaches widgets slotted into it from a host's shadow root, arriving after them, and lets go of them when it goes", async () => {
    const snapshot = new DashboardScript().snapshot;
    const a = createDashboardStore({ snapshot });
    const b = createDashboardStore({
      snapshot: { ...snapshot, counts: { ...snapshot.counts, familyClients: 42 } },
    });
    // A host's own shell: its provider wraps a slot, so the widgets are the page's, and the
    // shell renders the provider after they connected.
    class Shell extends LitElement {
      static override properties = { client: { attribute: false }, key: {} };
      declare client: DashboardClient | undefined;
      declare key: string;
      override render() {
        if (this.key === 'none') return html`<slot></slot>`;
        return this.key === 'a'
          ? html`<fg-dashboard-provider .client=${this.client}><slot></slot></fg-dashboard-provider>`
          : html`<section>
              <fg-dashboard-provider .client=${this.client}><slot></slot></fg-dashboard-provider>
            </section>`;
      }
    }
    customElements.define('fg-test-shell', Shell);
    const shell = await fixture<Shell>(
      html`<fg-test-shell key="a" .client=${a}><fg-stats-cards></fg-stats-cards></fg-test-shell>`,
    );
    const cards = shell.querySelector('fg-stats-cards')!;
    await until(() => familyClients(cards) === '6', 'the late provider reaches the widget');
    // The shell renders another provider, for another consultant: the widget follows it.
    shell.key = 'b';
    shell.client = b;
    await shell.updateComplete;
    await until(() => familyClients(cards) === '42', "the new provider's client");
    // The shell drops its provider: the widget keeps nothing it showed through it.
    shell.key = 'none';
    await shell.updateComplete;
    await until(() => familyClients(cards) !== '42', 'the client let go');
    expect(cards.shadowRoot!.querySelector('.skeleton'), 'loading again').to.not.equal(null);
    a.close();
    b.close();
  });

  it('speaks the context protocol with @lit/context on either side', async () => {
    const a = createDashboardStore({ snapshot: new DashboardScript().snapshot });
    const b = createDashboardStore({ snapshot: new DashboardScript().snapshot });
    // A page's own @lit/context provider feeds the widgets, and its changes reach them.
    const host = await fixture<HTMLDivElement>(html`<div><fg-stats-cards></fg-stats-cards></div>`);
    const theirs = new ContextProvider(host, { context: dashboardClientContext, initialValue: a });
    const cards = host.querySelector('fg-stats-cards')!;
    cards.remove();
    host.append(cards);
    await cards.updateComplete;
    expect(familyClients(cards)).to.equal('6');
    // A page's own @lit/context consumer finds the provider's client.
    class Reader extends LitElement {
      readonly client = new ContextConsumer(this, { context: dashboardClientContext, subscribe: true });
    }
    customElements.define('fg-test-context-reader', Reader);
    const provider = await fixture<FgDashboardProvider>(
      html`<fg-dashboard-provider .client=${a}
        ><fg-test-context-reader></fg-test-context-reader
      ></fg-dashboard-provider>`,
    );
    const reader = provider.querySelector<Reader>('fg-test-context-reader')!;
    expect(reader.client.value).to.equal(a);
    provider.client = b;
    await provider.updateComplete;
    expect(reader.client.value as DashboardClient).to.equal(b);
    theirs.setValue(undefined);
    a.close();
    b.close();
  });

  it('passes its locale to the widgets, while money keeps the consultant currency', async () => {
    const store = createDashboardStore({ snapshot: new DashboardScript().snapshot });
    const provider = await fixture<FgDashboardProvider>(
      html`<fg-dashboard-provider locale="de-DE" .client=${store}
        ><fg-stats-cards></fg-stats-cards
      ></fg-dashboard-provider>`,
    );
    const cards = provider.querySelector('fg-stats-cards')!;
    await cards.updateComplete;
    expect(text(cards.shadowRoot!.querySelector('[part~="card-revenue"] [part="value"]'))).to.equal(
      '5.000 $',
    );
    store.close();
  });

  it('does not close a client it was given when removed', async () => {
    const store = createDashboardStore();
    let closed = 0;
    const close = store.close.bind(store);
    store.close = () => {
      closed++;
      close();
    };
    const provider = await fixture<FgDashboardProvider>(
      html`<fg-dashboard-provider .client=${store}></fg-dashboard-provider>`,
    );
    provider.remove();
    await nextFrame();
    expect(closed).to.equal(0);
    close();
  });

  it('keeps its client when login-url changes, and an ended session goes to the new one', async () => {
    let give: ((token: string | null) => void) | undefined;
    const getToken = () => new Promise<string | null>((resolve) => (give = resolve));
    const provider = await fixture<FgDashboardProvider>(
      html`<fg-dashboard-provider
        endpoint="http://127.0.0.1:9"
        login-url="/login-a"
        .getToken=${getToken}
      ></fg-dashboard-provider>`,
    );
    const client = provider.client!;
    const seen: CustomEvent[] = [];
    provider.addEventListener('fg-session-expired', (event) => {
      seen.push(event as CustomEvent);
      event.preventDefault();
    });
    // A page that keeps where the person was in its login address, as it navigates.
    provider.loginUrl = '/login-b';
    await provider.updateComplete;
    expect(provider.client, 'the same client').to.equal(client);
    await until(() => give !== undefined, 'a request for a token');
    give!(null);
    await until(() => seen.length > 0, 'fg-session-expired');
    expect(seen.map((event) => event.detail.loginUrl)).to.deep.equal(['/login-b']);
    client.close();
  });

  describe('with the reference server', function () {
    before(function () {
      if (!serverUrl) this.skip();
    });

    it('creates its client from endpoint and token, keeps it when moved, closes it when removed', async () => {
      const token = await demoToken('c-story');
      const wrapper = await fixture<HTMLDivElement>(html`
        <div>
          <fg-dashboard-provider endpoint=${serverUrl!} token=${token} transports="websocket sse">
            <fg-stats-cards></fg-stats-cards>
          </fg-dashboard-provider>
          <section></section>
        </div>
      `);
      const provider = wrapper.querySelector('fg-dashboard-provider')!;
      const cards = wrapper.querySelector('fg-stats-cards')!;
      await until(() => provider.client?.status === 'live', 'the client to go live');
      const client = provider.client!;
      await until(() => familyClients(cards) !== 'Loading' && familyClients(cards) !== '', 'data');
      expect(familyClients(cards)).to.equal(String(client.state.snapshot!.counts.familyClients));

      const before = client.state.snapshot!.counts.familyClients;
      await simulate({ consultantId: 'c-story', action: 'associate-family', familyName: 'The Providers' });
      await until(() => familyClients(cards) === String(before + 1), 'the new family to show');

      wrapper.querySelector('section')!.append(provider);
      await nextFrame();
      expect(provider.client).to.equal(client, 'moved, same client');

      let closed = false;
      const close = client.close.bind(client);
      client.close = () => {
        closed = true;
        close();
      };
      provider.remove();
      await nextFrame();
      expect(closed).to.equal(true);
      expect(provider.client).to.equal(undefined);
    });

    it("starts over with a new client when its token is another consultant's, showing nothing of the last one", async () => {
      const provider = await fixture<FgDashboardProvider>(html`
        <fg-dashboard-provider endpoint=${serverUrl!} token=${await demoToken('c-story')}>
          <fg-stats-cards></fg-stats-cards>
        </fg-dashboard-provider>
      `);
      await until(() => provider.client?.status === 'live', 'the first consultant live');
      const first = provider.client!;
      let closed = false;
      const close = first.close.bind(first);
      first.close = () => {
        closed = true;
        close();
      };
      provider.token = await demoToken('c-other');
      await provider.updateComplete;
      expect(closed, 'the old client closed').to.equal(true);
      const client = provider.client!;
      expect(client).not.to.equal(first);
      // Nothing to show until the new consultant's own data comes (no I/O has run yet).
      expect(client.state.snapshot).to.equal(null);
      // Live comes with the welcome, a moment before the first data.
      await until(
        () => client.status === 'live' && client.state.snapshot !== null,
        'the second consultant live',
      );
      expect(client.state.snapshot!.consultant.id).to.equal('c-other');
      const cards = provider.querySelector('fg-stats-cards')!;
      await until(
        () => familyClients(cards) === String(client.state.snapshot!.counts.familyClients),
        "the second consultant's families",
      );

      // A fresh token for the same consultant keeps the client and its connection.
      provider.token = await demoToken('c-other', 600);
      await provider.updateComplete;
      expect(provider.client).to.equal(client);
    });

    it('waits for a token or getToken set after it is on the page, instead of ending the session', async () => {
      const expired: Event[] = [];
      const onExpired = (event: Event) => {
        expired.push(event);
        event.preventDefault();
      };
      window.addEventListener('fg-session-expired', onExpired);
      try {
        const provider = await fixture<FgDashboardProvider>(
          html`<fg-dashboard-provider
            endpoint=${serverUrl!}
            login-url="/login-for-tests"
          ></fg-dashboard-provider>`,
        );
        // As a page's own script does, a moment after the elements were defined.
        await nextFrame();
        expect(provider.client).to.equal(undefined);
        const token = await demoToken('c-story');
        provider.getToken = () => token;
        await until(() => provider.client?.status === 'live', 'the client to go live');
        expect(expired).to.have.length(0);
      } finally {
        window.removeEventListener('fg-session-expired', onExpired);
      }
    });

    it('re-dispatches fg-session-expired from itself, bubbling, composed and cancelable', async () => {
      const seen: CustomEvent[] = [];
      const onExpired = (event: Event) => {
        seen.push(event as CustomEvent);
        event.preventDefault(); // the page stays here
      };
      window.addEventListener('fg-session-expired', onExpired);
      try {
        const provider = await fixture<FgDashboardProvider>(
          html`<fg-dashboard-provider
            endpoint=${serverUrl!}
            token="not-a-token"
            login-url="/login-for-tests"
          ></fg-dashboard-provider>`,
        );
        await until(() => seen.length > 0, 'fg-session-expired');
        const [event] = seen;
        expect(event!.target).to.equal(provider);
        expect(event!.bubbles && event!.composed && event!.cancelable).to.equal(true);
        expect(event!.detail.loginUrl).to.equal('/login-for-tests');
        expect(provider.client!.status).to.equal('expired');
        expect(location.pathname).to.not.equal('/login-for-tests');
      } finally {
        window.removeEventListener('fg-session-expired', onExpired);
      }
    });
  });
});
