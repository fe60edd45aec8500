import type { ReactiveController, ReactiveControllerHost } from 'lit';

const ENTER_MS = 240;
const UNKNOWN = Symbol('unknown');

function flash(row: HTMLElement): void {
  row.setAttribute('data-flash', '');
  const done = (event: AnimationEvent) => {
    if (event.animationName !== 'fg-flash') return;
    row.removeAttribute('data-flash');
    row.removeEventListener('animationend', done);
  };
  row.addEventListener('animationend', done);
}

function reducedMotion(): boolean {
  return matchMedia('(prefers-reduced-motion: reduce)').matches;
}

function scrolls(element: Element): boolean {
  const overflow = getComputedStyle(element).overflowY;
  return (overflow === 'auto' || overflow === 'scroll') && element.scrollHeight > element.clientHeight;
}

/** The nearest scrolling box around `element` (through shadow roots), else the page's. */
function outerScroller(element: Element): Element {
  let node: Node | null = element.parentNode;
  while (node) {
    if (node instanceof ShadowRoot) {
      node = node.host;
      continue;
    }
    if (
      node instanceof Element &&
      node !== document.documentElement &&
      node !== document.body &&
      scrolls(node)
    ) {
      return node;
    }
    node = node.parentNode;
  }
  return document.scrollingElement ?? document.documentElement;
}

interface Measured {
  known: Set<string>;
  instant: boolean;
  anchor?: { key: string; top: number; scroller: Element };
}

/** Top of the visible part of a scroller, in viewport coordinates. */
function viewTop(scroller: Element): number {
  return scroller === document.scrollingElement ? 0 : scroller.getBoundingClientRect().top;
}

/**
 * Keeps a list of fixed-height rows calm while rows come and go. The rows (each with
 * `data-key`) are placed by `transform` from their index, so a row changing place is never
 * a layout shift: it glides there by a CSS transition, and a new row fades in; rows named
 * in `highlight` also flash the highlight color once. No motion under `prefers-reduced-motion`.
 *
 * What the person sees stays put: when the start of the list is scrolled out of view (in
 * the list's own scroller, or in the page or box around it) and rows are inserted above,
 * the first visible row keeps its place on screen, rows move at once (`instant`), and the
 * scroll position follows. Measured before the update and restored after it, by hand:
 * WebKit has no CSS scroll anchoring, and the list opts out of Chromium's
 * (`overflow-anchor: none`), so every engine behaves the same.
 */
export class ListMotionController implements ReactiveController {
  /** Keys to highlight if they enter in the coming update (high-priority events only). */
  highlight: ReadonlySet<string> = new Set();
  /** Whether the coming render shows real data; rows of the first data render do not animate. */
  ready = false;
  /** The start of the list is out of view: rows must move without a transition. Read it in `render()`. */
  instant = false;
  /**
   * The rows' data as the coming render will show it, if the host tells. When it is the same
   * as last time, no row comes, goes or moves, and the layout is not read at all: a forced
   * layout per list per update is most of what an update costs.
   */
  items: unknown = UNKNOWN;

  private known = new Set<string>();
  private anchor: { key: string; top: number; scroller: Element } | undefined;
  private primed = false;
  private shownItems: unknown = UNKNOWN;
  private changed = true;
  private measured: Measured | undefined;

  constructor(
    host: ReactiveControllerHost,
    private readonly scroller: () => HTMLElement | null | undefined,
  ) {
    host.addController(this);
  }

  /**
   * Reads where the rows are now, for the coming update. A host calls it when it learns that
   * its data changed (in the store's notification, before any widget of the frame renders):
   * the layout is still clean then, so reading it costs nothing. Read later, in the update,
   * it would force a layout of whatever the widgets before it just changed.
   */
  measure(): void {
    const scroller = this.scroller();
    const rows = scroller ? this.rows(scroller) : [];
    const measured: Measured = { known: new Set(rows.map((row) => row.dataset.key!)), instant: false };
    this.measured = measured;
    if (!scroller || rows.length === 0) return;
    const { top: listTop, rowHeight } = this.geometry(rows);
    let outer: Element = scroller;
    let top = scroller.getBoundingClientRect().top;
    if (scroller.scrollTop <= 0) {
      outer = outerScroller(scroller);
      top = viewTop(outer);
    }
    if (listTop >= top - 0.5) return;
    measured.instant = true;
    const index = rows.findIndex((_, i) => listTop + (i + 1) * rowHeight > top + 0.5);
    if (index >= 0)
      measured.anchor = { key: rows[index]!.dataset.key!, top: listTop + index * rowHeight, scroller: outer };
  }

  hostUpdate(): void {
    this.changed = this.items === UNKNOWN || this.items !== this.shownItems;
    this.shownItems = this.items;
    if (this.changed && !this.measured) this.measure();
    const measured = this.changed ? this.measured : undefined;
    this.measured = undefined;
    this.anchor = measured?.anchor;
    this.instant = measured?.instant ?? false;
    if (measured) this.known = measured.known;
  }

  hostDisconnected(): void {
    this.measured = undefined;
  }

  hostUpdated(): void {
    const scroller = this.scroller();
    const wasPrimed = this.primed;
    this.primed = this.ready;
    if (!scroller || !this.changed) return;
    const rows = this.rows(scroller);
    const anchor = this.anchor;
    const index = anchor ? rows.findIndex((row) => row.dataset.key === anchor.key) : -1;
    if (anchor && index >= 0) {
      const { top, rowHeight } = this.geometry(rows);
      const drift = top + index * rowHeight - anchor.top;
      if (Math.abs(drift) >= 0.5) anchor.scroller.scrollBy({ top: drift, behavior: 'instant' });
    }
    if (!wasPrimed || reducedMotion()) return;
    for (const row of rows) {
      const key = row.dataset.key!;
      if (this.known.has(key)) continue;
      row.animate([{ opacity: 0 }, { opacity: 1 }], { duration: ENTER_MS, easing: 'ease-out' });
      // A CSS animation (`[data-flash]` in listStyles): its color is a custom property, and
      // reading that here would force a style pass in the middle of the frame.
      if (this.highlight.has(key)) flash(row);
    }
  }

  /** Where the rows are laid out: the list's top and the fixed row height (rows sit at index × height). */
  private geometry(rows: HTMLElement[]): { top: number; rowHeight: number } {
    return { top: rows[0]!.parentElement!.getBoundingClientRect().top, rowHeight: rows[0]!.offsetHeight };
  }

  private rows(scroller: HTMLElement): HTMLElement[] {
    return Array.from(scroller.querySelectorAll<HTMLElement>('[data-key]'));
  }
}
