import { LitElement, html, type TemplateResult } from 'lit';
import type { DashboardState } from '@fg/realtime';
import { FormatController, type Formatter } from '../format.js';
import { StoreController, freshnessOf, shallowEqual } from '../store-controller.js';
import { widgetStyles } from '../styles.js';
import { countText, fitValue, renderValue, skeleton } from '../templates.js';
import { welcomeBannerStyles } from './welcome-banner.styles.js';

const select = ({ snapshot, status }: DashboardState) => ({
  consultant: snapshot?.consultant,
  upcoming: snapshot?.counts.upcoming,
  active: snapshot?.counts.active,
  revenue: snapshot?.revenue,
  freshness: freshnessOf(status),
});

/** The counted facts, and what each counts (one of it). */
const FACTS = [
  ['upcoming', 'upcoming consultation'],
  ['active', 'active consultation'],
] as const;

/**
 * @summary Greets the consultant by name with the day's essentials: upcoming consultations,
 * active consultations and this month's revenue. A region named "Welcome".
 *
 * @csspart base - The banner (a region named "Welcome").
 * @csspart greeting - The heading with the consultant's name.
 * @csspart name - The consultant's name inside the greeting.
 * @csspart facts - The row of three facts.
 * @csspart fact - Each fact; each also has its own part, below.
 * @csspart fact-upcoming - The count of upcoming consultations (also `fact`).
 * @csspart fact-active - The count of active consultations (also `fact`).
 * @csspart fact-revenue - The revenue this month (also `fact`).
 * @csspart value - The number of a fact: one line, 2rem tall whatever the number (it is its own
 *   layout root); a larger line height needs a larger `block-size` too.
 * @csspart label - What a fact counts.
 *
 * @cssproperty --fg-welcome-banner-background - Defaults to `--fg-color-surface`.
 * @cssproperty --fg-welcome-banner-color - Defaults to `--fg-color-text`.
 * @cssproperty --fg-welcome-banner-label-color - Defaults to `--fg-color-text-muted`.
 * @cssproperty --fg-welcome-banner-greeting-size - Font size of the greeting.
 * @cssproperty --fg-welcome-banner-value-size - Font size of the numbers.
 * @cssproperty --fg-welcome-banner-min-height - Space reserved for the banner, so nothing moves when data arrives.
 */
export class FgWelcomeBanner extends LitElement {
  static override styles = [widgetStyles, welcomeBannerStyles];

  private readonly _view = new StoreController(this, select, shallowEqual);
  private readonly _format = new FormatController(this);

  override render() {
    const { consultant, revenue, freshness } = this._view.value;
    const format = this._format.for(consultant);
    return html`
      <section aria-label="Welcome" part="base" class="card banner ${freshness === 'fresh' ? '' : 'dimmed'}">
        <h2 part="greeting">
          Welcome back,
          <span part="name" dir="auto">${consultant ? consultant.name : skeleton('greeting')}</span>
        </h2>
        <p class="intro muted">Here is your practice at a glance.</p>
        <div class="facts" part="facts">
          ${FACTS.map(([key, noun]) => {
            const count = this._view.value[key];
            return this._renderFact(
              format,
              key,
              countText(format, count),
              count === 1 ? noun : `${noun}s`,
              count === 1,
            );
          })}
          ${this._renderFact(
            format,
            'revenue',
            revenue && format.money(revenue.amountMinor, revenue.currency),
            'revenue this month',
          )}
        </div>
      </section>
    `;
  }

  protected override updated(): void {
    fitValue(this.renderRoot.querySelector('.revenue .value'));
  }

  private _renderFact(
    format: Formatter,
    name: string,
    value: TemplateResult | string | undefined,
    label: string,
    singular?: boolean,
  ) {
    return html`
      <p class="fact ${name}" part="fact fact-${name}">
        ${renderValue(format, value)}
        <span class="label ${singular ? 'singular' : ''}" part="label">${label}</span>
      </p>
    `;
  }
}
