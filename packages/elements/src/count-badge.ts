import { LitElement, css, html, type TemplateResult } from 'lit';
import type { Counts } from '@fg/protocol/frames';
import type { DashboardState } from '@fg/realtime';
import { FormatController } from './format.js';
import { StoreController, freshnessOf, shallowEqual } from './store-controller.js';
import { widgetStyles } from './styles.js';

export const countBadgeStyles = css`
  /* At most as wide as its place: in a narrow one (large text) the label wraps, the count stays whole. */
  :host {
    display: inline-block;
    max-inline-size: 100%;
  }
  .badge {
    display: inline-flex;
    align-items: center;
    gap: 0.375rem;
    min-block-size: 2rem;
  }
  svg {
    flex: none;
    inline-size: 1rem;
    block-size: 1rem;
    fill: none;
    stroke: currentColor;
    stroke-width: 2;
    stroke-linecap: round;
    stroke-linejoin: round;
    color: var(--_muted);
  }
  /* A flex item is as wide as its longest word: it breaks inside one rather than push the count out. */
  .label {
    font-size: 0.8125rem;
    font-weight: 500;
    overflow-wrap: anywhere;
  }
  .slot {
    /* Room for "99+": the badge never changes size, and its number never moves. */
    flex: none;
    min-inline-size: 3.25em;
    font-size: 0.8125rem;
  }
  /* An unseen "99+" set like the pill, so the slot widens with a reader's letter and word spacing. */
  .slot::before {
    content: '99+';
    display: block;
    block-size: 0;
    visibility: hidden;
    padding-inline: 0.45em;
    font-weight: 700;
  }
  /* A layout root one pill tall (a flex item, like the slot, cannot be one): a new count lays out this box alone. */
  .fit {
    display: block;
    contain: size layout;
    block-size: 1.5rem;
  }
  .count {
    display: inline-block;
    padding-inline: 0.45em;
    border-radius: 999px;
    background: var(--_count-background);
    color: var(--_count-color);
    font-weight: 700;
    line-height: 1.5rem;
  }
  .zero .count {
    background: var(--_sunken);
    color: var(--_muted);
    box-shadow: inset 0 0 0 1px var(--_border);
  }
  .count .skeleton {
    inline-size: 1ch;
    block-size: 0.75rem;
  }
  @media (forced-colors: active) {
    .count {
      outline: 1px solid;
    }
  }
`;

/** The numbers of the badges' English names. */
let english: Intl.NumberFormat | undefined;

/**
 * What the count badges share: one count from `counts`, a visible label, "99+" above the
 * cap and the exact number in the accessible name, as an image of text named
 * "<label>: <count>".
 */
export abstract class CountBadge extends LitElement {
  static override styles = [widgetStyles, countBadgeStyles];

  private readonly _view = new StoreController(
    this,
    (state: DashboardState) => ({
      consultant: state.snapshot?.consultant,
      count: state.snapshot ? this._pick(state.snapshot.counts) : undefined,
      freshness: freshnessOf(state.status),
    }),
    shallowEqual,
  );
  private readonly _format = new FormatController(this);

  /** The accessible name, before the number. */
  protected abstract readonly _label: string;
  /** What the badge says on screen next to the number. */
  protected abstract readonly _text: string;

  protected abstract _pick(counts: Counts): number;
  protected abstract _renderIcon(): TemplateResult;

  override render() {
    const { consultant, count, freshness } = this._view.value;
    const format = this._format.for(consultant);
    // An English name, its number in English too: an aria-label has no language of its own,
    // and a voice reading English reads "1.234" or "٢" in it wrongly.
    const name = `${this._label}: ${count === undefined ? 'loading' : (english ??= new Intl.NumberFormat('en-US')).format(count)}`;
    return html`
      <span
        role="img"
        aria-label=${name}
        part="base"
        class="badge ${freshness === 'fresh' ? '' : 'dimmed'} ${count ? '' : 'zero'}"
      >
        ${this._renderIcon()}
        <span class="label" part="label">${this._text}</span>
        <span class="slot"
          ><span class="fit"
            ><span class="count" part="count" lang=${format.locale}
              >${count === undefined ? html`<span class="skeleton"></span>` : format.capped(count)}</span
            ></span
          ></span
        >
      </span>
    `;
  }
}
