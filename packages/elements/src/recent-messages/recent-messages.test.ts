import { expect, nextFrame, oneEvent } from '@open-wc/testing';
import '../define/fg-recent-messages.js';
import { FgMarkReadEvent, type FgRecentMessages } from './recent-messages.js';
import { DashboardScript, emptySnapshot, messageItem } from '../test/frames.js';
import {
  animationsDone,
  layoutShiftDuring,
  layoutShiftSupported,
  mount,
  nodeCount,
  text,
} from '../test/harness.js';

const list = (el: FgRecentMessages) => el.shadowRoot!.querySelector('[role="list"]')!;
const rows = (el: FgRecentMessages) => [...el.shadowRoot!.querySelectorAll<HTMLElement>('[role="listitem"]')];
const row = (el: FgRecentMessages, key: string) =>
  el.shadowRoot!.querySelector<HTMLElement>(`[data-key="${key}"]`)!;

describe('<fg-recent-messages>', () => {
  it('is a list named "Recent Messages", busy with skeleton rows while loading', async () => {
    const { el } = await mount<FgRecentMessages>('fg-recent-messages');
    expect(text(el.shadowRoot!.getElementById(list(el).getAttribute('aria-labelledby')!))).to.equal(
      'Recent Messages',
    );
    expect(list(el).getAttribute('aria-busy')).to.equal('true');
    expect(el.shadowRoot!.querySelectorAll('.row')).to.have.length(3);
    await expect(el).to.be.accessible();
  });

  it('shows the three newest messages with who wrote, when, and the start of the text', async () => {
    const { el, feed } = await mount<FgRecentMessages>('fg-recent-messages');
    await feed(new DashboardScript().snapshotFrame());
    expect(rows(el)).to.have.length(3);
    expect(text(rows(el)[0])).to.equal('Message from The Abara family 30 min. ago See you tomorrow.');
    expect(el.shadowRoot!.querySelector('button')).to.equal(null, 'read messages have no action');
    await expect(el).to.be.accessible();
  });

  it('shows an empty state, not an error, with no messages', async () => {
    const { el, feed } = await mount<FgRecentMessages>('fg-recent-messages');
    await feed(new DashboardScript(emptySnapshot()).snapshotFrame());
    expect(rows(el)).to.have.length(0);
    expect(text(el.shadowRoot!.querySelector('[part="empty"]'))).to.equal('No messages yet');
    await expect(el).to.be.accessible();
  });

  it('puts a new message on top, marked unread to the eye and in its name, with a mark-as-read button', async () => {
    const script = new DashboardScript();
    const { el, feed } = await mount<FgRecentMessages>('fg-recent-messages');
    await feed(script.snapshotFrame());
    await feed(
      script.message(
        messageItem(9, { id: 'new', familyName: 'The Haddads', preview: 'Can we move Friday?' }),
      ),
    );
    expect(rows(el).map((r) => r.dataset.key)).to.deep.equal(['new', 'm0', 'm1']);
    const fresh = row(el, 'new');
    expect(fresh.getAttribute('part')).to.contain('item-unread');
    expect(fresh.querySelector('[part="unread-marker"]')).to.not.equal(null);
    expect(text(fresh)).to.match(/^Unread message from The Haddads/);
    expect(text(fresh.querySelector('button'))).to.equal('Mark as read the message from The Haddads');
    await animationsDone(el);
    await expect(el).to.be.accessible();
  });

  it('marks a message read through the client, then shows it read when the event arrives', async () => {
    const script = new DashboardScript();
    const { el, feed, store } = await mount<FgRecentMessages>('fg-recent-messages');
    const asked: string[] = [];
    store.markMessageRead = async (id: string) => {
      asked.push(id);
    };
    await feed(script.snapshotFrame());
    await feed(script.message(messageItem(9, { id: 'new' })));
    const button = row(el, 'new').querySelector('button')!;
    button.focus();
    setTimeout(() => button.click());
    const event = await oneEvent(el, 'fg-mark-read');
    expect(event).to.be.instanceOf(FgMarkReadEvent);
    expect(event.detail.messageId).to.equal('new');
    await nextFrame();
    expect(asked).to.deep.equal(['new']);
    await feed(script.markRead('new'));
    expect(row(el, 'new').querySelector('button')).to.equal(null);
    expect(text(row(el, 'new'))).to.match(/^Message from/);
    expect(el.shadowRoot!.activeElement).to.equal(row(el, 'new'), 'focus stays on the message');
  });

  it('lets the page handle marking read itself by cancelling fg-mark-read', async () => {
    const script = new DashboardScript();
    const { el, feed, store } = await mount<FgRecentMessages>('fg-recent-messages');
    let asked = 0;
    store.markMessageRead = async () => {
      asked++;
    };
    await feed(script.snapshotFrame());
    await feed(script.message(messageItem(9, { id: 'new' })));
    el.addEventListener('fg-mark-read', (event) => event.preventDefault());
    row(el, 'new').querySelector('button')!.click();
    await nextFrame();
    expect(asked).to.equal(0);
  });

  it('renders family-written markup as text, never as markup', async () => {
    const script = new DashboardScript();
    const { el, feed } = await mount<FgRecentMessages>('fg-recent-messages');
    await feed(script.snapshotFrame());
    const preview = '<img src=x onerror="window.__pwned=1"><script>alert(1)</script>';
    await feed(script.message(messageItem(9, { id: 'x', familyName: '<b>Bold</b>', preview })));
    expect(row(el, 'x').querySelector('img, script, b')).to.equal(null);
    expect(text(row(el, 'x').querySelector('[part="preview"]'))).to.equal(preview);
    expect(text(row(el, 'x').querySelector('[part="family"]'))).to.contain('<b>Bold</b>');
    expect((window as { __pwned?: number }).__pwned).to.equal(undefined);
  });

  it('dims stale data, and hides the action once the session expired', async () => {
    const script = new DashboardScript();
    const { el, feed, status } = await mount<FgRecentMessages>('fg-recent-messages');
    await feed(script.snapshotFrame(), script.message(messageItem(9, { id: 'new' })));
    const base = el.shadowRoot!.querySelector('[part="base"]')!;
    await status('stale');
    expect(base.classList.contains('dimmed')).to.equal(true);
    expect(row(el, 'new').querySelector('button')).to.not.equal(null);
    await status('expired');
    expect(row(el, 'new').querySelector('button')).to.equal(null);
    expect(rows(el)).to.have.length(3);
  });

  it('causes no layout shift while messages arrive and are read (Chromium: WebKit has no Layout Instability API)', async function () {
    if (!layoutShiftSupported()) this.skip();
    const script = new DashboardScript();
    const { feed } = await mount<FgRecentMessages>('fg-recent-messages');
    const shift = await layoutShiftDuring(async () => {
      await feed(script.snapshotFrame());
      for (let i = 10; i < 14; i++) await feed(script.message(messageItem(i, { id: `n${i}` })));
      await feed(script.markRead('n13'));
    });
    expect(shift).to.equal(0);
  });

  it('leaves no node behind as messages come and go, however often (lit/lit#5298)', async () => {
    const script = new DashboardScript();
    const { el, feed } = await mount<FgRecentMessages>('fg-recent-messages');
    await feed(script.snapshotFrame());
    const message = (i: number) => script.message(messageItem(10 + i, { id: `new${i}`, read: false }));
    for (let i = 0; i < 3; i++) await feed(message(i));
    const before = nodeCount(el.shadowRoot!);
    for (let i = 3; i < 40; i++) await feed(message(i));
    expect(rows(el).map((r) => r.dataset.key)).to.deep.equal(['new39', 'new38', 'new37']);
    expect(nodeCount(el.shadowRoot!)).to.equal(before);
    el.items = [];
    await el.updateComplete;
    const empty = nodeCount(el.shadowRoot!);
    el.items = script.snapshot.recentMessages;
    await el.updateComplete;
    for (let i = 0; i < 30; i++) {
      el.items = [messageItem(50 + i, { id: `own${i}`, read: i % 2 === 0 })];
      await el.updateComplete;
      el.items = [];
      await el.updateComplete;
    }
    expect(nodeCount(el.shadowRoot!)).to.equal(empty);
  });

  it('keeps what the person sees when messages arrive above the scrolled view', async () => {
    const { el } = await mount<FgRecentMessages>('fg-recent-messages');
    el.style.setProperty('--fg-recent-messages-height', '150px');
    el.items = Array.from({ length: 20 }, (_, i) => messageItem(i));
    await el.updateComplete;
    row(el, 'm8').scrollIntoView({ block: 'start' });
    await nextFrame();
    const before = row(el, 'm8').getBoundingClientRect().top;
    el.items = [messageItem(100, { id: 'newest', read: false }), ...el.items];
    await el.updateComplete;
    await nextFrame();
    expect(row(el, 'm8').getBoundingClientRect().top).to.be.closeTo(before, 0.5);
  });
});
