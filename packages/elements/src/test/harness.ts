/** Mounting widgets under a provider whose client is a store fed real protocol frames. */
import { expect, fixture, html, nextFrame } from '@open-wc/testing';
import type { LitElement } from 'lit';
import type { ServerFrame } from '@fg/protocol';
import { createDashboardStore, type ConnectionStatus, type DashboardStore } from '@fg/realtime';
import { setClock } from '../format.js';
import '../define/fg-dashboard-provider.js';
import { NOW } from './frames.js';

export interface Mounted<T extends LitElement> {
  readonly el: T;
  readonly store: DashboardStore;
  /** Applies frames, delivers the store's notification and waits for the widgets to render and paint. */
  feed(...frames: ServerFrame[]): Promise<void>;
  status(status: ConnectionStatus): Promise<void>;
  /** Delivers pending notifications and waits for every widget under the provider to render and paint. */
  settle(): Promise<void>;
  /** Delivers pending notifications and waits for every widget under the provider to render, not for a frame. */
  update(): Promise<void>;
}

/** Store notifications on demand, so a test decides when a frame's changes reach the widgets. */
function manualFrames() {
  let queue: (() => void)[] = [];
  return {
    request(callback: () => void) {
      queue.push(callback);
      return () => {
        queue = queue.filter((c) => c !== callback);
      };
    },
    run() {
      const due = queue;
      queue = [];
      for (const callback of due) callback();
    },
  };
}

async function allUpdated(root: Element): Promise<void> {
  const pending: Promise<unknown>[] = [];
  const visit = (node: Element) => {
    if ('updateComplete' in node) pending.push((node as LitElement).updateComplete);
    for (const child of node.children) visit(child);
    if (node.shadowRoot) for (const child of node.shadowRoot.children) visit(child);
  };
  visit(root);
  await Promise.all(pending);
}

/** Mounts `<tag>` in a provider of the given width; the clock stands at `NOW`. */
export async function mount<T extends LitElement>(tag: string, width = 760): Promise<Mounted<T>> {
  setClock(() => NOW);
  const frames = manualFrames();
  const store = createDashboardStore({ requestFrame: frames.request, now: () => NOW });
  const wrapper = await fixture<HTMLDivElement>(
    html`<div style="width: ${width}px">
      <fg-dashboard-provider .client=${store}></fg-dashboard-provider>
    </div>`,
  );
  const el = document.createElement(tag) as T;
  wrapper.firstElementChild!.append(el);
  const update = async () => {
    frames.run();
    await allUpdated(wrapper);
  };
  const settle = async () => {
    await update();
    await nextFrame();
  };
  await settle();
  return {
    el,
    store,
    settle,
    update,
    async feed(...list) {
      for (const frame of list) store.receive(frame);
      await settle();
    },
    async status(status) {
      store.setStatus(status, status === 'live' ? 'websocket' : null);
      await settle();
    },
  };
}

/** The text a person reads in an element's shadow root, whitespace collapsed. */
export function text(el: Element | null | undefined): string {
  const root = el?.shadowRoot ?? el;
  return (root?.textContent ?? '').replace(/\s+/g, ' ').trim();
}

/**
 * Where the focus is, in words a failed check prints (comparing elements, it would print
 * their whole tree): `row <key>`, or the tag name, of what holds it in `el`'s shadow root,
 * else `outside: <tag>` for what holds it on the page (`outside: body` once lost).
 */
export function focusAt(el: Element): string {
  const inside = el.shadowRoot!.activeElement as HTMLElement | null;
  if (!inside) return `outside: ${document.activeElement?.localName}`;
  return inside.dataset.key === undefined ? inside.localName : `row ${inside.dataset.key}`;
}

/**
 * Checks that a number's box is a layout root: a new value lays out that box alone, not the
 * page. That takes size and layout containment on a box that is not a flex or grid item
 * (Blink never makes those roots), and a size that did not come from the number.
 */
export function expectLayoutRoot(box: Element, height: string): void {
  const style = getComputedStyle(box);
  const contain = style.contain.split(' ');
  const has = (value: string) => contain.includes(value) || contain.includes('strict');
  expect(has('size') && has('layout'), `contain: ${style.contain}`).to.equal(true);
  expect(style.height, 'its own height').to.equal(height);
  const parent = box.parentElement ?? (box.getRootNode() as ShadowRoot).host;
  expect(getComputedStyle(parent).display, 'its parent lays it out as a block').to.not.match(/flex|grid/);
}

export const layoutShiftSupported = (): boolean =>
  PerformanceObserver.supportedEntryTypes?.includes('layout-shift') ?? false;

/** The sum of the layout shifts while `during` runs and for two frames after it (Layout Instability API). */
export async function layoutShiftDuring(during: () => Promise<void>): Promise<number> {
  let total = 0;
  const add = (entries: PerformanceEntryList) => {
    for (const entry of entries) total += (entry as PerformanceEntry & { value: number }).value;
  };
  const observer = new PerformanceObserver((list) => add(list.getEntries()));
  observer.observe({ type: 'layout-shift' });
  await during();
  await nextFrame();
  await nextFrame();
  add(observer.takeRecords());
  observer.disconnect();
  return total;
}

/** Waits for the element's fades and highlights to end (an accessibility check reads colors as they are now). */
export async function animationsDone(el: Element): Promise<void> {
  await Promise.all((el.shadowRoot?.getAnimations() ?? []).map((a) => a.finished.catch(() => undefined)));
}

/** Every node under `root`: elements, text and comments (Lit's markers) alike. */
export function nodeCount(root: Node): number {
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_ALL);
  let count = 0;
  while (walker.nextNode()) count++;
  return count;
}

/** The page's text at 200%, as `html { font-size: 200% }` does (WCAG 1.4.4), or back to normal with `false`. */
export function largeText(on = true): void {
  const root = document.documentElement.style;
  if (on) root.fontSize = '200%';
  else root.removeProperty('font-size');
}

// Every test ends with the text at its normal size, whatever it set.
afterEach(() => largeText(false));

/**
 * A reader's text spacing (WCAG 1.4.12), as the bookmarklet sets it, put into `host`'s shadow
 * tree after it has rendered: every element's line height, letter and word spacing, and the
 * space after a paragraph, none of which the widget chose. Resolves once the browser has laid
 * it out, and what changes in response to it (resize observers) has been laid out too.
 */
export async function textSpacing(host: Element): Promise<void> {
  const sheet = new CSSStyleSheet();
  sheet.replaceSync(
    '* { line-height: 1.5 !important; letter-spacing: 0.12em !important; word-spacing: 0.16em !important }' +
      ' p { margin-bottom: 2em !important }',
  );
  const root = host.shadowRoot!;
  root.adoptedStyleSheets = [...root.adoptedStyleSheets, sheet];
  // The frame that lays it out (its resize observers ask for the next), the next (what they
  // asked for runs after this wait's own callback), and one more.
  for (let i = 0; i < 3; i++) await new Promise(requestAnimationFrame);
}

/** Every 20 px from 240 to 400. */
export const PHONE_WIDTHS = Array.from({ length: 9 }, (_, i) => 240 + i * 20);

/**
 * Mounts `<tag>` at each width with 200% text and a reader's text spacing (WCAG 1.4.4, 1.4.12),
 * given `frame`, and expects the element at `selector` in its shadow root whole and in view.
 */
export async function expectWholeWhenLargeAndSpaced(
  tag: string,
  selector: string,
  frame: ServerFrame,
  widths = [240, 280, 320, 360, 400],
): Promise<void> {
  for (const width of widths) {
    largeText();
    const { el, feed } = await mount(tag, width);
    await feed(frame);
    await textSpacing(el);
    const box = el.shadowRoot!.querySelector(selector)!;
    const where = `${width} px, 200% text, text spacing`;
    expect(box.scrollWidth, `${where}: "${text(box)}" whole`).to.be.at.most(box.clientWidth);
    expect(box.getBoundingClientRect().right, where).to.be.at.most(el.getBoundingClientRect().right);
  }
}

/** Where the last line of `element`'s text sits: its baseline (an empty inline-block sits on it), in px from the viewport's top. */
export function baseline(element: Element): number {
  const probe = document.createElement('span');
  probe.style.display = 'inline-block';
  element.append(probe);
  const at = probe.getBoundingClientRect().bottom;
  probe.remove();
  return at;
}

/**
 * What does not fit in `host` (WCAG 1.4.10, 1.4.4), in words a failed check prints: every
 * element of its shadow tree, nested shadow trees included, whose content is wider than its
 * box (text cut short or running out of it), or whose box ends past the host's right edge.
 * Text read by screen readers alone (`.vh`) is left out, and elements matching `cutByDesign`
 * may cut their text short (a message preview is the start of a message): what they hold
 * may run past the edge, as they clip it.
 */
export function overflowing(host: Element, cutByDesign = ':not(*)'): string[] {
  const edge = host.getBoundingClientRect().right + 0.5;
  const found: string[] = [];
  const visit = (root: ParentNode) => {
    for (const element of root.querySelectorAll('*')) {
      if (element.closest('.vh')) continue;
      const name = `${(element.getRootNode() as ShadowRoot).host.localName} ${element.localName}.${element.getAttribute('class') ?? ''}`;
      const cut = element.scrollWidth > element.clientWidth + 1 && element.clientWidth > 0;
      if (cut && !element.matches(cutByDesign))
        found.push(`${name} ${element.scrollWidth - element.clientWidth}px wider than its box`);
      const right = element.getBoundingClientRect().right;
      if (right > edge && !element.parentElement?.closest(cutByDesign))
        found.push(`${name} ${Math.round(right - edge)}px past the edge`);
      if (element.shadowRoot) visit(element.shadowRoot);
    }
  };
  visit(host.shadowRoot!);
  return found;
}

/** Every widget `<fg-dashboard>` lays out. */
export const WIDGET_TAGS = [
  'fg-welcome-banner',
  'fg-stats-cards',
  'fg-upcoming-list',
  'fg-recent-messages',
  'fg-tasks-badge',
  'fg-unread-badge',
  'fg-completed-count',
  'fg-connection-status',
  'fg-live-region',
] as const;

/** Where the first character of the first `text` in `box`'s text is drawn. */
export function charBox(box: Element, text: string): DOMRect {
  const walker = document.createTreeWalker(box, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const at = node.textContent!.indexOf(text);
    if (at < 0) continue;
    const range = document.createRange();
    range.setStart(node, at);
    range.setEnd(node, at + 1);
    return range.getBoundingClientRect();
  }
  throw new Error(`no text "${text}" in ${box.localName}`);
}

/**
 * Whether the first character of `text` within `box` is drawn inside the box: an ellipsis may
 * cut a text's end, never its start (which, in a run of the other direction than the page's, it
 * does unless the text is laid out in its own direction).
 */
export function startShown(box: Element, text: string): boolean {
  const char = charBox(box, text);
  const edges = box.getBoundingClientRect();
  return char.width > 0 && char.left >= edges.left - 0.5 && char.right <= edges.right + 0.5;
}
