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
import { setStyle } from './templates.js';

/** A row's data: its `id` names it (which item a row shows, and which one came new). */
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

/**
 * The nearest scrolling box around `element` (through shadow roots), else the page's. The
 * body is one only when the root element's overflow is not visible: else the body's is the page's.
 */
function outerScroller(element: Element): Element {
  const page = document.scrollingElement ?? document.documentElement;
  const body = getComputedStyle(page).overflowY === 'visible' && document.body;
  for (let node: Node | null = element.parentNode; node; node = node.parentNode) {
    if (node instanceof ShadowRoot) node = node.host;
    if (node !== page && node !== body && node instanceof Element && scrolls(node)) return node;
  }
  return page;
}

/**
 * What `<fg-upcoming-list>` and `<fg-recent-messages>` share: a card with a heading, a
 * scroller of reserved height, and a list of fixed-height rows named by the heading, with
 * skeleton rows while loading and an empty state.
 *
 * Rows have a fixed height and are placed by an inline `transform` from their index, so a
 * row changing place is never a layout shift. How items get rows is `_rowsAreSlots`: keyed,
 * each item keeps its row for as long as it stays; as slots, the first row shows the first
 * item and so on, and a new item changes the rows' text instead of making a row and removing
 * another (which costs several times more: new elements to style, an element to take down).
 * As slots, a row holding the focus or the pointer keeps its item (rows are made or removed
 * around it), so the focus never lands on another item, and a button pressed as its item
 * moves away never acts on the item that took its place. Focus in what an update takes away
 * (a row whose item left, or a button its row no longer shows) moves, without scrolling, to
 * the row now at that place (the last row if fewer are left, the heading if none is), so the
 * next Tab goes on from there instead of from the page's start. A new item fades in (under 300
 * ms); one that was already there beyond the list's end, pulled up as another goes, does
 * not. One named by a high-priority event also shows the highlight color for a moment;
 * its entrance goes with it to whichever row shows it next. No motion under
 * `prefers-reduced-motion`; the first data does not animate.
 *
 * What the person sees stays put: when the start of the list is scrolled out of view (in the
 * list's own scroller, or in the page or box around it) and rows are inserted above, the
 * first visible row keeps its place on screen and the scroll position follows. Measured before the update and restored after it, by hand: WebKit has
 * no CSS scroll anchoring, and the list opts out of Chromium's (`overflow-anchor: none`), so
 * every engine behaves the same.
 */
export abstract class ListElement<T extends Keyed> extends LitElement {
  static override properties: PropertyDeclarations = { items: { attribute: false } };

  protected readonly _view = new StoreController(
    this,
    (state: DashboardState): Slice<T> => ({
      consultant: state.snapshot?.consultant,
      items: state.snapshot ? this._pick(state.snapshot) : undefined,
      freshness: freshnessOf(state.status),
    }),
    shallowEqual,
    // Told before any widget of the frame renders: the layout is still clean, so reading it is free.
    () => this._measure(),
  );
  protected readonly _format = new FormatController(this);
  private readonly _clock = new ClockController(this, 30_000);

  /** Items to show instead of the dashboard's, for a host that brings its own data (not cut to the dashboard's length). */
  declare items: readonly T[] | undefined;

  /** The list's heading, which names it. */
  protected abstract readonly _heading: string;
  /** What an empty list says. */
  protected abstract readonly _emptyText: string;
  /** Skeleton rows while loading. */
  protected abstract readonly _skeletonRows: number;
  /** The event whose new rows flash. */
  protected abstract readonly _flashKind: EventKind;
  /**
   * Rows as slots: a row shows whichever item is at its place, its text changing in place,
   * instead of each item having a row of its own. Only for rows whose every piece of text
   * starts at a fixed place (a grid cell of its own): text that follows text of another
   * width would move, a layout shift.
   */
  protected abstract readonly _rowsAreSlots: boolean;

  /** The dashboard's items. */
  protected abstract _pick(snapshot: NonNullable<DashboardState['snapshot']>): readonly T[];
  /** A row's `part` and content. */
  protected abstract _renderItem(
    item: T,
    format: Formatter,
    now: number,
    freshness: Freshness,
  ): readonly [string, TemplateResult];

  /** Rows by the key of the item each shows, in list order. */
  private _rows = new Map<string, HTMLElement>();
  /** The items the rows show: when the coming render's are the same, no row comes, goes or moves. */
  private _shownItems: readonly T[] | undefined;
  private _measured = false;
  private _anchor: Anchor | undefined;
  /**
   * Whether the start of the list was in view when last seen, and nothing scrolled since:
   * then nothing above the first row is hidden, there is nothing to anchor, and the update
   * reads no layout. An IntersectionObserver tells (in the list's own scroller and in every
   * box and page around it); a scroll, which it would tell only after the next frame, clears
   * it at once, and the next update measures.
   */
  private _startInView = false;
  private _startObserver: IntersectionObserver | undefined;
  private readonly _scrolled = () => {
    this._startInView = false;
  };
  /**
   * A scroller holding more than it shows (a host's own items, a theme's lower height) is in
   * the tab order, for a keyboard to scroll it: WebKit makes no scroller focusable itself.
   */
  private readonly _overflow =
    typeof ResizeObserver === 'function'
      ? new ResizeObserver(() => {
          const scroller = this.renderRoot.querySelector<HTMLElement>('.scroller')!;
          if (scroller.scrollHeight > scroller.clientHeight) scroller.setAttribute('tabindex', '0');
          // Focused, it stays focusable, out of the tab order: the keyboard goes on from there.
          else if ((this.renderRoot as ShadowRoot).activeElement === scroller) scroller.tabIndex = -1;
          else scroller.removeAttribute('tabindex');
        })
      : undefined;

  protected get _shown(): readonly T[] | undefined {
    return this.items ?? this._view.value.items;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    if (this.hasUpdated) this._observe();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this._measured = false;
    this._startObserver?.disconnect();
    this._overflow?.disconnect();
    this._startInView = false;
    removeEventListener('scroll', this._scrolled, true);
  }

  protected override firstUpdated(): void {
    // Scrolls in this list, and in the page or boxes around it (outside other shadow roots).
    this.renderRoot.addEventListener('scroll', this._scrolled, { capture: true, passive: true });
    this._observe();
  }

  /** Watches scrolls, whether the list's start is in view, and its scroller's size; again after each reconnection. */
  private _observe(): void {
    addEventListener('scroll', this._scrolled, { capture: true, passive: true });
    // The scroller and its list: either may change size.
    for (const box of this.renderRoot.querySelectorAll('.scroller, [role=list]'))
      this._overflow?.observe(box);
    const start = this.renderRoot.querySelector('.start');
    if (!start || typeof IntersectionObserver !== 'function') return;
    // Made once, observing again after each reconnection.
    this._startObserver ??= new IntersectionObserver(
      (entries) => {
        const entry = entries[entries.length - 1]!;
        this._startInView = entry.isIntersecting && entry.intersectionRatio > 0.99;
      },
      { threshold: [0, 1] },
    );
    this._startObserver.observe(start);
  }

  protected override willUpdate(_changed: PropertyValues<this>): void {
    if (this._shown !== this._shownItems && !this._measured) this._measure();
  }

  override render() {
    const items = this._shown;
    return html`
      <div part="base" class="card ${this._view.value.freshness === 'fresh' ? '' : 'dimmed'}">
        <h2 id="heading" part="heading">${this._heading}</h2>
        <div class="scroller" part="scroller">
          <div class="start" aria-hidden="true"></div>
          <div role="list" part="list" aria-labelledby="heading" aria-busy=${!items}></div>
          ${
            items
              ? items.length
                ? nothing
                : html`<p class="empty muted" part="empty">${this._emptyText}</p>`
              : html`<div aria-hidden="true">
                  ${Array.from(
                    { length: this._skeletonRows },
                    () =>
                      html`<div class="row">
                        <span class="skeleton"></span><span class="skeleton"></span>
                      </div>`,
                  )}
                </div>`
          }
        </div>
        ${this._renderNote()}
      </div>
    `;
  }

  /** What a list adds after its rows, inside its card: nothing by default. */
  protected _renderNote(): unknown {
    return nothing;
  }

  protected override update(changed: PropertyValues<this>): void {
    super.update(changed);
    const shown = this._shown;
    // Each id once (the first stays): two rows cannot show one item.
    const present = new Set<string>();
    const items = (shown ?? []).filter((item) => !present.has(item.id) && present.add(item.id));
    // Told once for each array, not at every tick of the clock that redraws the rows.
    if (shown && items.length < shown.length && shown !== this._shownItems)
      console.warn(
        `FG Live: <${this.localName}> left out ${shown.length - items.length} item(s) whose id came twice`,
      );
    // Once data was shown, new rows animate.
    const animate = shown !== this._shownItems && !!this._shownItems && !reducedMotion().matches;
    this._shownItems = shown;
    const { consultant, freshness } = this._view.value;
    const format = this._format.for(consultant);
    const now = this._view.serverTime(this._clock.now);
    const list = this.renderRoot.querySelector<HTMLElement>('[role=list]')!;
    const old = this._rows;
    const rows = (this._rows = new Map());
    // Entrances under way go with their items, to whichever row shows them now.
    const entering = new Map<string, Animation>();
    const spare: Animation[] = [];
    for (const [key, row] of old) {
      const entrance = entrances.get(row);
      if (!entrance) continue;
      if (present.has(key)) entering.set(key, entrance);
      else spare.push(entrance);
    }
    const events = this._view.state.recentEvents;
    // Subjects of the high-priority events of the list's kind just applied: the rows worth a highlight.
    const flash = animate
      ? new Set(
          events
            .filter((event) => event.priority === 'high' && event.kind === this._flashKind)
            .map((event) => event.subject.id),
        )
      : undefined;
    // The dashboard's events name what they bring; an item no event names was there before,
    // out of sight, and is pulled into view by one that went (a cancelled booking).
    const named =
      flash && !this.items && events.length ? new Set(events.map((event) => event.subject.id)) : undefined;
    // The row holding the focus, and its place (nothing to look for when the focus is elsewhere).
    const root = this.renderRoot as ShadowRoot;
    const active = root.activeElement;
    const before = active ? [...old.values()] : [];
    const place = before.findIndex((row) => row.contains(active));
    const focused = before[place];
    const slots = this._slots(items, old, focused);
    // A focused row that goes stays on the page until the focus has moved on (below).
    const going = focused && !slots.includes(focused) ? focused : undefined;
    setStyle(list, '--_n', items.length);
    let next = list.firstElementChild;
    items.forEach((item, i) => {
      const row = slots[i]!;
      rows.set(item.id, row);
      setStyle(row, 'transform', `translateY(${i * 100}%)`); // rows are one row tall
      const [part, content] = this._renderItem(item, format, now, freshness);
      if (row.getAttribute('part') !== part) row.setAttribute('part', part);
      render(content, row, { host: this });
      if (next === going) next = going.nextElementSibling;
      if (row === next) next = row.nextElementSibling;
      else list.insertBefore(row, next);
      if (row.dataset.key === item.id) return;
      row.dataset.key = item.id;
      const arriving = flash !== undefined && !old.has(item.id) && (!named || named.has(item.id));
      show(row, entering.get(item.id) ?? (arriving ? enter(flash.has(item.id), spare) : undefined));
    });
    for (const entrance of spare) entrance.cancel();
    if (going) {
      moveFocus(slots[Math.min(place, slots.length - 1)] ?? root.querySelector('h2')!);
      going.remove();
    } else if (focused && root.activeElement !== active) {
      // The focus fell out of a row that stays: what held it went (a button no longer
      // offered), and the row takes it; or the row moved (keyed, in a new order), and it goes back.
      moveFocus(focused.contains(active) ? (active as HTMLElement) : focused);
    }
  }

  /**
   * The row for each item. Keyed, an item keeps its row and a new one gets a new row. As
   * slots, the rows there are show the items in order, made or removed at the end; a row
   * holding the focus, else the row under the pointer, keeps its item (rows are made or
   * removed before or after it instead), or goes with it. Rows left out are taken down, but
   * the focused one: `update()` moves the focus first.
   */
  private _slots(
    items: readonly T[],
    old: Map<string, HTMLElement>,
    focused: HTMLElement | undefined,
  ): HTMLElement[] {
    let slots: (HTMLElement | undefined)[];
    if (!this._rowsAreSlots) {
      slots = items.map((item) => old.get(item.id));
    } else {
      const rows = [...old.values()];
      const held = focused ? rows.indexOf(focused) : rows.findIndex((row) => row.matches(':hover'));
      const at = held < 0 ? -1 : items.findIndex((item) => item.id === rows[held]!.dataset.key);
      if (at < 0) {
        // No held row, or its item went: then the row goes with it, as a keyed row would.
        const others = rows.filter((_, i) => i !== held);
        slots = items.map((_, i) => others[i]);
      } else {
        // Rows are made or removed on either side of the held row: it never moves in the DOM.
        const before = rows.slice(0, held);
        const after = rows.slice(held + 1);
        slots = items.map((_, i) => (i < at ? before[i] : i === at ? rows[held] : after[i - at - 1]));
      }
    }
    const kept = new Set(slots);
    for (const row of old.values()) if (!kept.has(row) && row !== focused) row.remove();
    return slots.map((row) => row ?? this._makeRow());
  }

  private _makeRow(): HTMLElement {
    const row = document.createElement('div');
    row.setAttribute('role', 'listitem');
    this._newRow(row);
    return row;
  }

  protected override updated(_changed: PropertyValues<this>): void {
    const anchor = this._anchor;
    this._anchor = undefined;
    this._measured = false;
    const index = anchor ? [...this._rows.keys()].indexOf(anchor.key) : -1;
    if (index < 0) return;
    const row = this._rows.get(anchor!.key)!;
    // Where the row is laid out: rows sit at index × height.
    const drift = row.parentElement!.getBoundingClientRect().top + index * row.offsetHeight - anchor!.top;
    if (Math.abs(drift) >= 0.5) anchor!.scroller.scrollBy({ top: drift, behavior: 'instant' });
  }

  /** Sets up a row element the first time it is made. */
  protected _newRow(_row: HTMLElement): void {}

  /**
   * Reads where the rows are now, for the coming update, and whether the start of the list
   * is out of view. Read in the update instead, it would force a layout of whatever the
   * widgets before it just changed.
   */
  private _measure(): void {
    this._measured = true;
    this._anchor = undefined;
    const scroller = this.renderRoot.querySelector<HTMLElement>('.scroller');
    const rows = [...this._rows.values()];
    const first = rows[0];
    if (!scroller || !first || this._startInView) return;
    const listTop = first.parentElement!.getBoundingClientRect().top;
    const height = first.offsetHeight;
    let outer: Element = scroller;
    let top = scroller.getBoundingClientRect().top;
    if (scroller.scrollTop <= 0) {
      outer = outerScroller(scroller);
      top = outer === document.scrollingElement ? 0 : outer.getBoundingClientRect().top;
    }
    if (listTop >= top - 0.5) {
      this._startInView = true;
      return;
    }
    const index = rows.findIndex((_, i) => listTop + (i + 1) * height > top + 0.5);
    if (index >= 0)
      this._anchor = { key: rows[index]!.dataset.key!, top: listTop + index * height, scroller: outer };
  }
}

/** The entrance each row shows: a new item's, started there or come with it from another row. */
const entrances = new WeakMap<Element, Animation>();
/** Entrances that show the highlight color. */
const flashing = new WeakSet<Animation>();

let templates: Record<'fade' | 'flash', KeyframeEffect> | undefined;

/**
 * A new item's entrance, of opacity alone (the compositor runs it): a fade, or, for a
 * high-priority item, the same fade and then the highlight color held for a moment (a color
 * animated would be painted again in every frame). One of `spare` (entrances of items that
 * left, still running) when it has one of the kind, else a copy of the kind's template:
 * either costs less than `Element.animate()` with keyframes to read.
 */
function enter(flash: boolean, spare: Animation[]): Animation {
  const reuse = spare.findIndex(
    (entrance) => flashing.has(entrance) === flash && entrance.playState === 'running',
  );
  if (reuse >= 0) {
    const [entrance] = spare.splice(reuse, 1);
    entrance!.currentTime = 0;
    return entrance!;
  }
  const fade = { opacity: 0, offset: 0, easing: 'ease-out' };
  templates ??= {
    fade: new KeyframeEffect(null, [fade], 240),
    flash: new KeyframeEffect(null, [fade, { opacity: 1, offset: 0.17 }], 1400),
  };
  const animation = new Animation(new KeyframeEffect(templates[flash ? 'flash' : 'fade']), document.timeline);
  if (flash) flashing.add(animation);
  animation.onfinish = () => {
    const target = (animation.effect as KeyframeEffect).target;
    if (target && entrances.get(target) === animation) {
      entrances.delete(target);
      target.removeAttribute('data-flash');
    }
  };
  animation.play();
  return animation;
}

/** Makes `row` show `entrance` from where it is now, or no entrance. */
function show(row: HTMLElement, entrance: Animation | undefined): void {
  if (entrance) {
    (entrance.effect as KeyframeEffect).target = row;
    entrances.set(row, entrance);
  } else {
    entrances.delete(row);
  }
  row.toggleAttribute('data-flash', !!entrance && flashing.has(entrance));
}

/** Focuses `element` without scrolling, made focusable by script alone if it was not focusable. */
function moveFocus(element: HTMLElement): void {
  if (element.tabIndex < 0) element.tabIndex = -1;
  element.focus({ preventScroll: true });
}

let motionQuery: MediaQueryList | undefined;
/** The page's `prefers-reduced-motion: reduce` query, made once (its `matches` stays current). */
const reducedMotion = () => (motionQuery ??= matchMedia('(prefers-reduced-motion: reduce)'));
