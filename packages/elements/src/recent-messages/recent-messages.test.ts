import { expect, nextFrame, oneEvent } from '@open-wc/testing';
import { resetMouse, sendMouse } from '@web/test-runner-commands';
import '../define/fg-recent-messages.js';
import { FgMarkReadEvent, type FgRecentMessages } from './recent-messages.js';
import { createDashboardStore } from '@fg/realtime';
import { DashboardScript, NOW, emptySnapshot, messageItem } from '../test/frames.js';
import {
  animationsDone,
  focusAt,
  largeText,
  layoutShiftDuring,
  layoutShiftSupported,
  mount,
  nodeCount,
  overflowing,
  charBox,
  startShown,
  text,
  textSpacing,
  expectWholeWhenLargeAndSpaced,
} from '../test/harness.js';

const list = (el: FgRecentMessages) => el.shadowRoot!.querySelector('[role="list"]')!;
const rows = (el: FgRecentMessages) => [...el.shadowRoot!.querySelectorAll<HTMLElement>('[role="listitem"]')];
const row = (el: FgRecentMessages, key: string) =>
  el.shadowRoot!.querySelector<HTMLElement>(`[data-key="${key}"]`)!;
const keys = (el: FgRecentMessages) => rows(el).map((r) => r.dataset.key);

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

  it("lays out a family's name, its message and the time each in its own direction, on a page of the other", async () => {
    const name = 'The Montgomery-Richardson family of Westchester County';
    const { el, feed } = await mount<FgRecentMessages>('fg-recent-messages', 360);
    el.closest('div')!.dir = 'rtl';
    await feed(
      new DashboardScript({
        ...emptySnapshot(),
        recentMessages: [
          messageItem(0, {
            id: 'long',
            familyName: name,
            preview: 'Could we bring our daughter? '.repeat(4),
          }),
          messageItem(1, { id: 'short', preview: 'Running 10 min late!' }),
        ],
      }).snapshotFrame(),
    );
    const long = row(el, 'long');
    for (const [part, start] of [
      ['.family', name.slice(0, 3)],
      ['.preview', 'Cou'],
    ] as const) {
      const box = long.querySelector(part)!;
      expect(box.scrollWidth, `${part} is cut`).to.be.greaterThan(box.clientWidth);
      expect(startShown(box, start), `${part}: its start is shown`).to.equal(true);
    }
    const short = row(el, 'short');
    const preview = short.querySelector('.preview')!;
    expect(charBox(preview, '!').left, 'the "!" ends the sentence').to.be.greaterThan(
      charBox(preview, 'R').right,
    );
    const time = short.querySelector('time')!;
    expect(text(time)).to.equal('1 hr. ago');
    expect(charBox(time, '1').right, '"1 hr. ago" reads in order').to.be.at.most(charBox(time, 'h').left);
  });

  it("puts a right-to-left message's last mark at its left on a left-to-right page", async () => {
    const { el, feed } = await mount<FgRecentMessages>('fg-recent-messages', 360);
    await feed(
      new DashboardScript({
        ...emptySnapshot(),
        recentMessages: [messageItem(0, { id: 'he', preview: 'אפשר להביא את הבת שלנו? נאחר 10 דקות!' })],
      }).snapshotFrame(),
    );
    const preview = row(el, 'he').querySelector('.preview')!;
    expect(charBox(preview, '!').right).to.be.at.most(charBox(preview, 'א').left);
  });

  it("gives a message's preview the room its row's action leaves: the whole row without one", async () => {
    const script = new DashboardScript();
    const { el, feed } = await mount<FgRecentMessages>('fg-recent-messages', 360);
    await feed(script.snapshotFrame());
    await feed(script.message(messageItem(9, { id: 'new', preview: 'A long message '.repeat(8) })));
    const [unread, read] = rows(el).map((row) => row.querySelector('.preview')!.getBoundingClientRect());
    const button = rows(el)[0]!.querySelector('button')!.getBoundingClientRect();
    expect(unread!.right, 'beside the button').to.be.at.most(button.left);
    expect(read!.left).to.equal(unread!.left);
    expect(read!.right, 'to the end of a row without one').to.be.above(button.left);
  });

  it('shows who wrote, when, the start of the text and the button in a narrow list at 200% text', async () => {
    for (const width of [320, 400, 600]) {
      largeText();
      const script = new DashboardScript();
      const { el, feed } = await mount<FgRecentMessages>('fg-recent-messages', width);
      await feed(script.snapshotFrame());
      await feed(script.message(messageItem(5, { id: 'new', familyName: 'The Haddads', preview: 'Hello' })));
      const where = `${width} px, 200% text`;
      expect(overflowing(el, '[part~="preview"]'), where).to.deep.equal([]);
      for (const row of rows(el)) {
        const box = row.getBoundingClientRect();
        for (const part of row.querySelectorAll<HTMLElement>(
          '[part~="family"], time, [part~="preview"], button',
        )) {
          const inner = part.getBoundingClientRect();
          expect(inner.width, `${where}: ${text(part)} has room`).to.be.above(24);
          expect(
            inner.left >= box.left - 0.5 && inner.right <= box.right + 0.5,
            `${where}: ${text(part)} inside its row`,
          ).to.equal(true);
          expect(
            inner.top >= box.top - 0.5 && inner.bottom <= box.bottom + 0.5,
            `${where}: ${text(part)} inside its row`,
          ).to.equal(true);
        }
      }
      const button = el.shadowRoot!.querySelector('button')!;
      expect(button.scrollWidth, `${where}: "Mark as read" whole`).to.be.at.most(button.clientWidth);
    }
  });

  it("keeps each message's text and its whole button under a reader's text spacing (WCAG 1.4.12)", async () => {
    const script = new DashboardScript();
    const { el, feed } = await mount<FgRecentMessages>('fg-recent-messages');
    await feed(script.snapshotFrame());
    await feed(script.message(messageItem(7)));
    await textSpacing(el);
    const all = rows(el);
    expect(all.length).to.be.above(0);
    for (const row of all) {
      const preview = row.querySelector('[part="preview"]')!;
      expect(preview.getBoundingClientRect().height, 'its text shows').to.be.above(10);
      const button = row.querySelector('button');
      if (button)
        expect(button.getBoundingClientRect().right, 'the whole button').to.be.at.most(
          row.getBoundingClientRect().right + 0.5,
        );
    }
    expect(all.some((row) => row.querySelector('button'))).to.equal(true);
  });

  it("keeps the whole button in a narrow list at 200% text under a reader's text spacing (WCAG 1.4.12), its words wrapped", async () => {
    for (const width of [240, 280, 320, 400]) {
      largeText();
      const script = new DashboardScript();
      const { el, feed } = await mount<FgRecentMessages>('fg-recent-messages', width);
      await feed(script.snapshotFrame());
      await feed(script.message(messageItem(5, { id: 'new', familyName: 'The Haddads', preview: 'Hello' })));
      await textSpacing(el);
      const where = `${width} px, 200% text, text spacing`;
      const row = rows(el)[0]!;
      const box = row.getBoundingClientRect();
      const button = row.querySelector('button')!;
      const inner = button.getBoundingClientRect();
      expect(inner.right, `${where}: the button's end`).to.be.at.most(box.right + 0.5);
      expect(inner.bottom, `${where}: the button's foot`).to.be.at.most(box.bottom + 0.5);
      expect(button.scrollWidth, `${where}: its words`).to.be.at.most(button.clientWidth);
      for (const part of row.querySelectorAll('[part~="family"], time, [part~="preview"]')) {
        const at = part.getBoundingClientRect();
        expect(at.bottom, `${where}: ${text(part)} above the button`).to.be.at.most(inner.top + 0.5);
      }
    }
  });

  it("wraps its heading rather than run it out of the card at 200% text under a reader's text spacing (WCAG 1.4.12)", () =>
    expectWholeWhenLargeAndSpaced('fg-recent-messages', 'h2', new DashboardScript().snapshotFrame()));

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

  it('shows a new message in the rows it has, its entrance going on in the row it moves to', async () => {
    const script = new DashboardScript();
    const { el, feed } = await mount<FgRecentMessages>('fg-recent-messages');
    await feed(script.snapshotFrame());
    const before = rows(el);
    await feed(script.message(messageItem(9, { id: 'first' })));
    // No row made or removed: the three rows now show the new message and the two after it.
    expect(rows(el)).to.have.ordered.members(before);
    expect(rows(el).map((r) => r.dataset.key)).to.deep.equal(['first', 'm0', 'm1']);
    const [entrance, ...more] = before[0]!.getAnimations();
    expect(more).to.have.length(0);
    expect(before[0]!.hasAttribute('data-flash'), 'a new message shows the highlight').to.equal(true);
    expect(before[1]!.getAnimations(), 'a message pushed down is not new').to.have.length(0);
    // The next one comes while the first is still arriving: the first's entrance moves with it.
    entrance!.currentTime = 100;
    await feed(script.message(messageItem(10, { id: 'second' })));
    expect(rows(el).map((r) => r.dataset.key)).to.deep.equal(['second', 'first', 'm0']);
    const [moved] = before[1]!.getAnimations();
    expect(moved!.currentTime).to.be.at.least(100);
    expect(before[1]!.hasAttribute('data-flash')).to.equal(true);
    expect(before[0]!.getAnimations()[0]!.currentTime).to.be.below(100);
    expect(before[2]!.getAnimations()).to.have.length(0);
    expect(before[2]!.hasAttribute('data-flash')).to.equal(false);
    await animationsDone(el);
    await nextFrame(); // the frame that tells the animations' end
    expect(
      rows(el).some((r) => r.hasAttribute('data-flash')),
      'the highlight ends',
    ).to.equal(false);
  });

  it('keeps a focused message in its row while others arrive above it or leave', async () => {
    const script = new DashboardScript();
    const { el, feed } = await mount<FgRecentMessages>('fg-recent-messages');
    await feed(script.snapshotFrame());
    await feed(script.message(messageItem(9, { id: 'mine', read: false })));
    const button = row(el, 'mine').querySelector('button')!;
    button.focus();
    await feed(script.message(messageItem(10, { id: 'next', read: false })));
    await feed(script.message(messageItem(11, { id: 'last', read: false })));
    expect(rows(el).map((r) => r.dataset.key)).to.deep.equal(['last', 'next', 'mine']);
    expect(el.shadowRoot!.activeElement, 'the focus stays on the same button').to.equal(button);
    expect(row(el, 'mine').contains(button)).to.equal(true);
    expect(text(button)).to.match(/The Writers 9$/);
    // Pushed out of the list, the focused message goes, as it would from any list.
    await feed(script.message(messageItem(12, { id: 'over', read: false })));
    expect(rows(el).map((r) => r.dataset.key)).to.deep.equal(['over', 'last', 'next']);
    expect(button.isConnected).to.equal(false);
    expect(rows(el)).to.have.length(3);
  });

  it('keeps the message under the pointer in its row, so a press never lands on the next one (Chromium: the WebKit driver moves no mouse)', async function () {
    const script = new DashboardScript();
    const { el, feed } = await mount<FgRecentMessages>('fg-recent-messages');
    await feed(script.snapshotFrame());
    await feed(script.message(messageItem(9, { id: 'mine', read: false })));
    const button = row(el, 'mine').querySelector('button')!;
    const box = button.getBoundingClientRect();
    try {
      await sendMouse({ type: 'move', position: [Math.round(box.x + 4), Math.round(box.y + 4)] });
    } catch {
      this.skip();
    }
    try {
      expect(button.matches(':hover')).to.equal(true);
      const elsewhere = rows(el).filter((r) => !r.contains(button));
      await feed(script.message(messageItem(10, { id: 'next', read: false })));
      expect(rows(el).map((r) => r.dataset.key)).to.deep.equal(['next', 'mine', 'm0']);
      expect(row(el, 'mine').contains(button), 'the row under the pointer went with its message').to.equal(
        true,
      );
      expect(text(button)).to.match(/The Writers 9$/);
      expect(rows(el).filter((r) => elsewhere.includes(r))).to.have.length(1, 'one row made, one taken down');
    } finally {
      await resetMouse();
    }
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

  it('says so on the button when marking read failed, reports fg-error, and lets the person try again', async () => {
    const script = new DashboardScript();
    const { el, feed, store } = await mount<FgRecentMessages>('fg-recent-messages');
    let fail = true;
    store.markMessageRead = async () => {
      if (fail) throw new Error('HTTP 503');
    };
    await feed(script.snapshotFrame());
    await feed(script.message(messageItem(9, { id: 'new' })));
    const button = row(el, 'new').querySelector('button')!;
    button.focus();
    setTimeout(() => button.click());
    const error = await oneEvent(el, 'fg-error');
    expect(error.detail).to.deep.equal({ code: 'mark-read-failed', message: 'HTTP 503' });
    await el.updateComplete;
    const again = row(el, 'new').querySelector('button')!;
    expect(again).to.equal(button, 'the same button, so the focus stays on it');
    expect(el.shadowRoot!.activeElement).to.equal(button);
    expect(again.getAttribute('part')).to.equal('mark-read mark-read-failed');
    expect(text(again)).to.equal(
      'Not marked as read. Try again to mark the message from The Writers 9 as read',
    );
    // Said too, politely: not every screen reader reads out a focused button's new name.
    const status = el.shadowRoot!.querySelector('[role="status"]')!;
    expect(text(status)).to.equal('Could not mark the message from The Writers 9 as read');
    for (const animation of el.shadowRoot!.getAnimations()) animation.finish();
    await expect(el).to.be.accessible();
    fail = false;
    again.click();
    await el.updateComplete;
    await nextFrame();
    expect(row(el, 'new').querySelector('button')!.getAttribute('part')).to.equal('mark-read');
    expect(text(status), 'a new try clears it').to.equal('');
    await feed(script.markRead('new'));
    expect(row(el, 'new').querySelector('button')).to.equal(null);
  });

  it('says nothing failed when the message shows read though the request failed (its answer lost on the way back)', async () => {
    const script = new DashboardScript();
    const { el, feed, store } = await mount<FgRecentMessages>('fg-recent-messages');
    const fail: ((error: Error) => void)[] = [];
    store.markMessageRead = () => new Promise((_, reject) => fail.push(reject));
    await feed(script.snapshotFrame());
    await feed(script.message(messageItem(9, { id: 'new' })));
    row(el, 'new').querySelector('button')!.click();
    await feed(script.markRead('new'));
    fail[0]!(new Error('timed out'));
    await oneEvent(el, 'fg-error');
    await el.updateComplete;
    expect(text(el.shadowRoot!.querySelector('[role="status"]')!)).to.equal('');
    expect(row(el, 'new').querySelector('button')).to.equal(null);
  });

  it("given another consultant's client, says nothing more of the last one's messages: a failure noted, or one that comes after", async () => {
    const script = new DashboardScript();
    const { el, feed, store, settle } = await mount<FgRecentMessages>('fg-recent-messages');
    const fail: ((error: Error) => void)[] = [];
    store.markMessageRead = () => new Promise((_, reject) => fail.push(reject));
    await feed(script.snapshotFrame());
    await feed(script.message(messageItem(9, { id: 'first', familyName: 'The Private family' })));
    await feed(script.message(messageItem(10, { id: 'second', familyName: 'The Private family' })));
    const status = el.shadowRoot!.querySelector('[role="status"]')!;
    row(el, 'first').querySelector('button')!.click();
    row(el, 'second').querySelector('button')!.click();
    fail[0]!(new Error('HTTP 503'));
    await oneEvent(el, 'fg-error');
    await el.updateComplete;
    expect(text(status)).to.equal('Could not mark the message from The Private family as read');
    const provider = el.parentElement as HTMLElement & { client: unknown };
    provider.client = createDashboardStore({ now: () => NOW });
    await settle();
    expect(text(status), 'the note went with its consultant').to.equal('');
    // The second one fails once the dashboard is another consultant's.
    fail[1]!(new Error('HTTP 503'));
    await oneEvent(el, 'fg-error');
    await el.updateComplete;
    expect(text(status)).to.equal('');
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

  it('moves the focus to the row now at its place when the focused message leaves the list', async () => {
    const script = new DashboardScript();
    const { el, feed } = await mount<FgRecentMessages>('fg-recent-messages');
    await feed(script.snapshotFrame());
    for (const i of [1, 2, 3]) await feed(script.message(messageItem(10 + i, { id: `n${i}` })));
    row(el, 'n1').querySelector('button')!.focus();
    await feed(script.message(messageItem(14, { id: 'n4' })));
    expect(keys(el)).to.deep.equal(['n4', 'n3', 'n2']);
    expect(focusAt(el)).to.equal('row n2', 'the third row, now showing the message after');
    // A focused first row keeps its message down to the last place, then leaves it to the next.
    row(el, 'n4').focus();
    for (const i of [5, 6, 7]) await feed(script.message(messageItem(10 + i, { id: `n${i}` })));
    expect(keys(el)).to.deep.equal(['n7', 'n6', 'n5']);
    expect(focusAt(el)).to.equal('row n5');
  });

  it('moves the focus without scrolling to the row it goes to', async () => {
    const script = new DashboardScript();
    const { el, feed } = await mount<FgRecentMessages>('fg-recent-messages');
    el.style.setProperty('--fg-recent-messages-height', 'var(--_row)'); // one row in view
    await feed(script.snapshotFrame());
    for (const i of [1, 2, 3]) await feed(script.message(messageItem(10 + i, { id: `n${i}` })));
    const scroller = el.shadowRoot!.querySelector('.scroller')!;
    row(el, 'n1').querySelector('button')!.focus({ preventScroll: true });
    expect(scroller.scrollTop).to.equal(0);
    await feed(script.message(messageItem(14, { id: 'n4' })));
    expect(focusAt(el)).to.equal('row n2');
    expect(scroller.scrollTop, 'the row out of view stays out of view').to.equal(0);
  });

  it('moves the focus from a message marked read to the row after it once it leaves the list', async () => {
    const script = new DashboardScript();
    const { el, feed, store } = await mount<FgRecentMessages>('fg-recent-messages');
    store.markMessageRead = async () => {};
    await feed(script.snapshotFrame(), script.message(messageItem(9, { id: 'mine' })));
    const button = row(el, 'mine').querySelector('button')!;
    button.focus();
    button.click();
    await feed(script.markRead('mine'));
    expect(focusAt(el)).to.equal('row mine');
    for (const i of [1, 2, 3]) await feed(script.message(messageItem(10 + i, { id: `n${i}` })));
    expect(keys(el)).to.deep.equal(['n3', 'n2', 'n1']);
    expect(focusAt(el)).to.equal('row n1');
  });

  it('moves the focus to the row when its message is marked read elsewhere', async () => {
    const script = new DashboardScript();
    const { el, feed } = await mount<FgRecentMessages>('fg-recent-messages');
    await feed(script.snapshotFrame(), script.message(messageItem(9, { id: 'new' })));
    row(el, 'new').querySelector('button')!.focus();
    // Another tab marked it read: the server sends the new state.
    await feed(script.markRead('new'));
    expect(row(el, 'new').querySelector('button')).to.equal(null);
    expect(focusAt(el)).to.equal('row new');
  });

  it('moves the focus to the row when the session expires and its button goes', async () => {
    const script = new DashboardScript();
    const { el, feed, status } = await mount<FgRecentMessages>('fg-recent-messages');
    await feed(script.snapshotFrame(), script.message(messageItem(9, { id: 'new' })));
    row(el, 'new').querySelector('button')!.focus();
    await status('expired');
    expect(row(el, 'new').querySelector('button')).to.equal(null);
    expect(focusAt(el)).to.equal('row new');
  });

  it('moves the focus to the heading when no message is left, and the last row when fewer are', async () => {
    const { el } = await mount<FgRecentMessages>('fg-recent-messages');
    el.items = [messageItem(1), messageItem(2), messageItem(3)];
    await el.updateComplete;
    row(el, 'm3').focus();
    el.items = [messageItem(1), messageItem(4)];
    await el.updateComplete;
    expect(focusAt(el)).to.equal('row m4');
    el.items = [];
    await el.updateComplete;
    const heading = el.shadowRoot!.querySelector('h2')!;
    expect(focusAt(el)).to.equal('h2');
    expect(heading.tabIndex).to.equal(-1, 'focusable by script alone, not a Tab stop');
  });

  it('never takes the focus from elsewhere on the page', async () => {
    const script = new DashboardScript();
    const { el, feed, store } = await mount<FgRecentMessages>('fg-recent-messages');
    store.markMessageRead = async () => {};
    const outside = document.createElement('button');
    el.after(outside);
    await feed(script.snapshotFrame(), script.message(messageItem(9, { id: 'new' })));
    const button = row(el, 'new').querySelector('button')!;
    button.focus();
    button.click();
    outside.focus(); // the person moved on before the server answered
    await feed(script.markRead('new'));
    for (const i of [1, 2, 3]) await feed(script.message(messageItem(10 + i, { id: `n${i}` })));
    expect(focusAt(el)).to.equal('outside: button');
    expect(document.activeElement === outside, 'the focus stays where the person put it').to.equal(true);
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

  it('shows an id that comes twice once, with a warning, and leaves no row behind', async () => {
    const { el } = await mount<FgRecentMessages>('fg-recent-messages');
    const warn = console.warn;
    const warned: unknown[] = [];
    console.warn = (...args: unknown[]) => warned.push(args.join(' '));
    try {
      el.items = [messageItem(1), messageItem(2), messageItem(1, { familyName: 'Someone else' })];
      await el.updateComplete;
      expect(rows(el).map((r) => r.dataset.key)).to.deep.equal(['m1', 'm2']);
      expect(text(row(el, 'm1'))).to.contain('The Writers 1');
      expect(warned.join()).to.match(/fg-recent-messages.*1 item.*id came twice/);
      el.requestUpdate(); // as the clock does, to redraw relative times
      await el.updateComplete;
      expect(warned, 'told once for the array').to.have.length(1);
      el.items = [messageItem(3)];
      await el.updateComplete;
      expect(rows(el).map((r) => r.dataset.key)).to.deep.equal(['m3']);
      expect(el.shadowRoot!.querySelectorAll('[role="listitem"]')).to.have.length(1);
    } finally {
      console.warn = warn;
    }
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
