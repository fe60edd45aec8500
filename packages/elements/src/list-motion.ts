import type { ReactiveController, ReactiveControllerHost } from 'lit';

const ENTER_MS = 240;
const MOVE_MS = 200;
const HIGHLIGHT_MS = 1400;

function reducedMotion(): boolean {
  return matchMedia('(prefers-reduced-motion: reduce)').matches;
}

function scrolls(element: Element): boolean {
  const overflow = getComputedStyle(element).overflowY;
  return (overflow === 'auto' || overflow === 'scroll') && element.scrollHeight > element.clientHeight;
}

/** The nearest scrolled box around `element` (through shadow roots), else the page's. */
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

/** Top of the visible part of a scroller, in viewport coordinates. */
function viewTop(scroller: Element): number {
  return scroller === document.scrollingElement ? 0 : scroller.getBoundingClientRect().top;
}

/**
 * Keeps a keyed list calm while items come and go. Each row carries `data-key`.
 *
 * - What the person sees stays put: when the start of the list is scrolled out of view
 *   (the list's own scroller, or the page or box around it) and rows are inserted above,
 *   the first visible row keeps its place on screen. Measured before the update and
 *   restored after it, by hand, since WebKit has no CSS scroll anchoring; the list opts
 *   out of Chromium's (`overflow-anchor: none`), so every engine behaves the same.
 * - Motion: rows that moved glide from their old place with a transform (which is no
 *   layout shift), new rows fade in, and rows named in `highlight` flash the highlight
 *   color once. None of it under `prefers-reduced-motion`.
 */
export class ListMotionController implements ReactiveController {
  /** Keys to highlight if they enter in the coming update (high-priority events only). */
  highlight: ReadonlySet<string> = new Set();
  /** Whether the coming render shows real data; rows of the first data render do not animate. */
  ready = false;

  private readonly positions = new Map<string, number>();
  private readonly moves = new WeakMap<Element, Animation>();
  private anchor: { key: string; top: number; scroller: Element } | undefined;
  private primed = false;

  constructor(
    host: ReactiveControllerHost,
    private readonly list: () => HTMLElement | null | undefined,
  ) {
    host.addController(this);
  }

  hostUpdate(): void {
    this.positions.clear();
    this.anchor = undefined;
    const list = this.list();
    if (!list) return;
    const rows = this.rows(list);
    if (rows.length === 0) return;
    // The list's own scroller if it is scrolled, else the one around it if that hides the list's start.
    let scroller: Element | undefined = list;
    let top = list.getBoundingClientRect().top;
    if (list.scrollTop <= 0) {
      scroller = outerScroller(list);
      const listTop = top;
      top = viewTop(scroller);
      if (listTop >= top) scroller = undefined;
    }
    for (const row of rows) {
      const rect = row.getBoundingClientRect();
      const key = row.dataset.key!;
      this.positions.set(key, rect.top);
      if (scroller && !this.anchor && rect.bottom > top) this.anchor = { key, top: rect.top, scroller };
    }
  }

  hostUpdated(): void {
    const list = this.list();
    const wasPrimed = this.primed;
    this.primed = this.ready;
    if (!list) return;
    const rows = this.rows(list);
    const anchor = this.anchor;
    if (anchor) {
      const row = rows.find((r) => r.dataset.key === anchor.key);
      const drift = row ? row.getBoundingClientRect().top - anchor.top : 0;
      if (Math.abs(drift) >= 0.5) anchor.scroller.scrollBy({ top: drift, behavior: 'instant' });
    }
    if (!wasPrimed || reducedMotion()) return;
    for (const row of rows) {
      const key = row.dataset.key!;
      const before = this.positions.get(key);
      if (before === undefined) {
        this.enter(row, this.highlight.has(key));
        continue;
      }
      // Measure without a glide still running, then glide on from where the row was seen.
      this.moves.get(row)?.cancel();
      const moved = before - row.getBoundingClientRect().top;
      if (Math.abs(moved) < 1) continue;
      this.moves.set(
        row,
        row.animate([{ transform: `translateY(${moved}px)` }, { transform: 'none' }], {
          duration: MOVE_MS,
          easing: 'ease-out',
        }),
      );
    }
  }

  private enter(row: HTMLElement, highlight: boolean): void {
    row.animate([{ opacity: 0 }, { opacity: 1 }], { duration: ENTER_MS, easing: 'ease-out' });
    if (!highlight) return;
    const style = getComputedStyle(row);
    const color = style.getPropertyValue('--_highlight').trim() || '#fff8c5';
    row.animate([{ backgroundColor: color }, { backgroundColor: style.backgroundColor }], {
      duration: HIGHLIGHT_MS,
      easing: 'ease-in',
    });
  }

  private rows(list: HTMLElement): HTMLElement[] {
    return Array.from(list.querySelectorAll<HTMLElement>('[data-key]'));
  }
}
