import {
  LitElement,
  html,
  nothing,
  render,
  type PropertyDeclarations,
  type PropertyValues,
  type TemplateResult,
} from 'lit';
import type { Consultant, EventKind } from '@fg/protocol/frames';
import type { DashboardState } from '@fg/realtime';
import { ClockController, FormatController, type Formatter } from './format.js';
import { StoreController, freshnessOf, shallowEqual, type Freshness } from './store-controller.js';
import { highPriorityIds } from './templates.js';

/** A row's data: its `id` is its key, so a row keeps its element for as long as its item stays. */
export interface Keyed {
  readonly id: string;
}

interface Slice<T> {
  consultant: Consultant | undefined;
  items: readonly T[] | undefined;
  freshness: Freshness;
}

interface Anchor {
  key: string;
  top: number;
  scroller: Element;
}

const scrolls = (element: Element) =>
  /auto|scroll/.test(getComputedStyle(element).overflowY) && element.scrollHeight > element.clientHeight;

/** The nearest scrolling box around `element` (through shadow roots), else the page's. */
function outerScroller(element: Element): Element {
  const page = document.scrollingElement ?? document.documentElement;
  for (let node: Node | null = element.parentNode; node; node = node.parentNode) {
    if (node instanceof ShadowRoot) node = node.host;
    if (node !== page && node !== document.body && node instanceof Element && scrolls(node)) return node;
  }
  return page;
}

/**
 * What `<fg-upcoming-list>` and `<fg-recent-messages>` share: a card with a heading, a
 * scroller of reserved height, and a list of fixed-height rows named by the heading, with
 * skeleton rows while loading and an empty state.
 *
 * Rows are keyed by item `id`: each keeps its element (and only a changed row re-renders)
 * for as long as its item stays, and a removed row leaves nothing behind. Rows are placed by
 * an inline `transform` from their index (not an inherited custom property, which would
 * restyle every element of a row that moves), so a row changing place is never a layout
 * shift; a new row fades in (under 300 ms), and a new row named by a high-priority event
 * also shows the highlight color for a moment. No motion under `prefers-reduced-motion`; the
 * first data does not animate. Rows that change place move at once: a glide would be one
 * more animation per row and update, for nothing the person needs.
 *
 * What the person sees stays put: when the start of the list is scrolled out of view (in the
 * list's own scroller, or in the page or box around it) and rows are inserted above, the
 * first visible row keeps its place on screen and the scroll position follows. Measured before the update and restored after it, by hand: WebKit has
 * no CSS scroll anchoring, and the list opts out of Chromium's (`overflow-anchor: none`), so
 * every engine behaves the same.
 */
export abstract class ListElement<T extends Keyed> extends LitElement {
  static override properties: PropertyDeclarations = { items: { attribute: false } };

  protected readonly view = new StoreController(
    this,
    (state: DashboardState): Slice<T> => ({
      consultant: state.snapshot?.consultant,
      items: state.snapshot ? this.pick(state.snapshot) : undefined,
      freshness: freshnessOf(state.status),
    }),
    shallowEqual,
    // Told before any widget of the frame renders: the layout is still clean, so reading it is free.
    () => this.measure(),
  );
  protected readonly format = new FormatController(this);
  private readonly clock = new ClockController(this, 30_000);

  /** Items to show instead of the dashboard's, for a host that brings its own data (not cut to the dashboard's length). */
  declare items: readonly T[] | undefined;

  /** The list's heading, which names it. */
  protected abstract readonly heading: string;
  /** What an empty list says. */
  protected abstract readonly emptyText: string;
  /** Skeleton rows while loading. */
  protected abstract readonly skeletonRows: number;
  /** The event whose new rows flash. */
  protected abstract readonly flashKind: EventKind;

  /** The dashboard's items. */
  protected abstract pick(snapshot: NonNullable<DashboardState['snapshot']>): readonly T[];
  /** A row's `part` and content. */
  protected abstract renderItem(
    item: T,
    format: Formatter,
    now: number,
    freshness: Freshness,
  ): readonly [string, TemplateResult];

  /** Rows by key, in list order. */
  private rows = new Map<string, HTMLElement>();
  /** The items the rows show: when the coming render's are the same, no row comes, goes or moves. */
  private shownItems: readonly T[] | undefined;
  private measured = false;
  private anchor: Anchor | undefined;
  /** Data was shown before: new rows animate. */
  private primed = false;
  /**
   * Whether the start of the list was in view when last seen, and nothing scrolled since:
   * then nothing above the first row is hidden, there is nothing to anchor, and the update
   * reads no layout. An IntersectionObserver tells (in the list's own scroller and in every
   * box and page around it); a scroll, which it would tell only after the next frame, clears
   * it at once, and the next update measures.
   */
  private startInView = false;
  private startObserver: IntersectionObserver | undefined;
  private readonly scrolled = () => {
    this.startInView = false;
  };

  protected get shown(): readonly T[] | undefined {
    return this.items ?? this.view.value.items;
  }

  private get scroller(): HTMLElement | null {
    return this.renderRoot.querySelector('.scroller');
  }

  override connectedCallback(): void {
    super.connectedCallback();
    if (this.hasUpdated) this.observeStart();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.measured = false;
    this.startObserver?.disconnect();
    this.startObserver = undefined;
    this.startInView = false;
    removeEventListener('scroll', this.scrolled, true);
  }

  protected override firstUpdated(): void {
    // Scrolls in this list, and in the page or boxes around it (outside other shadow roots).
    this.renderRoot.addEventListener('scroll', this.scrolled, { capture: true, passive: true });
    this.observeStart();
  }

  private observeStart(): void {
    addEventListener('scroll', this.scrolled, { capture: true, passive: true });
    const start = this.renderRoot.querySelector('.start');
    if (!start || this.startObserver || typeof IntersectionObserver !== 'function') return;
    this.startObserver = new IntersectionObserver(
      (entries) => {
        const entry = entries[entries.length - 1]!;
        this.startInView = entry.isIntersecting && entry.intersectionRatio > 0.99;
      },
      { threshold: [0, 1] },
    );
    this.startObserver.observe(start);
  }

  protected override willUpdate(_changed: PropertyValues<this>): void {
    if (this.shown !== this.shownItems && !this.measured) this.measure();
  }

  override render() {
    const items = this.shown;
    return html`
      <div part="base" class="card ${this.view.value.freshness === 'fresh' ? '' : 'dimmed'}">
        <h2 id="heading" part="heading">${this.heading}</h2>
        <div class="scroller" part="scroller">
          <div class="start" aria-hidden="true"></div>
          <div role="list" part="list" aria-labelledby="heading" aria-busy=${!items}></div>
          ${
            items
              ? items.length
                ? nothing
                : html`<p class="empty muted" part="empty">${this.emptyText}</p>`
              : html`<div aria-hidden="true">
                  ${Array.from(
                    { length: this.skeletonRows },
                    () =>
                      html`<div class="row">
                        <span class="skeleton"></span><span class="skeleton"></span>
                      </div>`,
                  )}
                </div>`
          }
        </div>
      </div>
    `;
  }

  protected override update(changed: PropertyValues<this>): void {
    super.update(changed);
    const shown = this.shown;
    const items = shown ?? [];
    const animate = shown !== this.shownItems && this.primed && !reducedMotion().matches;
    this.shownItems = shown;
    this.primed = !!shown;
    const flash = highPriorityIds(this.view.state.recentEvents, this.flashKind);
    const { consultant, freshness } = this.view.value;
    const format = this.format.for(consultant);
    const now = this.clock.now;
    const list = this.renderRoot.querySelector<HTMLElement>('[role=list]')!;
    const old = this.rows;
    const rows = (this.rows = new Map());
    for (const item of items) rows.set(item.id, old.get(item.id));
    for (const [key, row] of old) if (!rows.has(key)) row.remove();
    setStyle(list, '--_n', items.length);
    let next = list.firstElementChild;
    items.forEach((item, i) => {
      let row: HTMLElement | undefined = rows.get(item.id);
      if (!row) {
        row = document.createElement('div');
        row.setAttribute('role', 'listitem');
        row.dataset.key = item.id;
        this.newRow(row);
        rows.set(item.id, row);
        if (animate) {
          // A CSS animation (`[data-new]` in listStyles), its attribute removed once it ran.
          row.dataset.new = flash.has(item.id) ? 'flash' : '';
          row.addEventListener('animationend', () => row!.removeAttribute('data-new'), { once: true });
        }
      }
      setStyle(row, 'transform', `translateY(${i * 100}%)`); // rows are one row tall
      const [part, content] = this.renderItem(item, format, now, freshness);
      if (row.getAttribute('part') !== part) row.setAttribute('part', part);
      render(content, row, { host: this });
      if (row === next) next = row.nextElementSibling;
      else list.insertBefore(row, next);
    });
  }

  protected override updated(_changed: PropertyValues<this>): void {
    const anchor = this.anchor;
    this.anchor = undefined;
    this.measured = false;
    const index = anchor ? [...this.rows.keys()].indexOf(anchor.key) : -1;
    if (index < 0) return;
    const row = this.rows.get(anchor!.key)!;
    // Where the row is laid out: rows sit at index × height.
    const drift = row.parentElement!.getBoundingClientRect().top + index * row.offsetHeight - anchor!.top;
    if (Math.abs(drift) >= 0.5) anchor!.scroller.scrollBy({ top: drift, behavior: 'instant' });
  }

  /** Sets up a row element the first time it is made. */
  protected newRow(_row: HTMLElement): void {}

  /**
   * Reads where the rows are now, for the coming update, and whether the start of the list
   * is out of view. Read in the update instead, it would force a layout of whatever the
   * widgets before it just changed.
   */
  private measure(): void {
    this.measured = true;
    this.anchor = undefined;
    const scroller = this.scroller;
    const rows = [...this.rows.values()];
    const first = rows[0];
    if (!scroller || !first || this.startInView) return;
    const listTop = first.parentElement!.getBoundingClientRect().top;
    const height = first.offsetHeight;
    let outer: Element = scroller;
    let top = scroller.getBoundingClientRect().top;
    if (scroller.scrollTop <= 0) {
      outer = outerScroller(scroller);
      top = outer === document.scrollingElement ? 0 : outer.getBoundingClientRect().top;
    }
    if (listTop >= top - 0.5) {
      this.startInView = true;
      return;
    }
    const index = rows.findIndex((_, i) => listTop + (i + 1) * height > top + 0.5);
    if (index >= 0)
      this.anchor = { key: rows[index]!.dataset.key!, top: listTop + index * height, scroller: outer };
  }
}

let motionQuery: MediaQueryList | undefined;
/** The page's `prefers-reduced-motion: reduce` query, made once (its `matches` stays current). */
const reducedMotion = () => (motionQuery ??= matchMedia('(prefers-reduced-motion: reduce)'));

function setStyle(element: HTMLElement, name: string, value: number | string): void {
  if (element.style.getPropertyValue(name) !== `${value}`) element.style.setProperty(name, `${value}`);
}
