import { LitElement, html, type TemplateResult } from 'lit';
import type { DashboardState } from '@fg/realtime';
import { FormatController, type Formatter } from '../format.js';
import { StoreController, freshnessOf, shallowEqual } from '../store-controller.js';
import { widgetStyles } from '../styles.js';
import { countText, fitValue, renderValue } from '../templates.js';
import { statsCardsStyles } from './stats-cards.styles.js';

// Each number on its own, so that a change elsewhere in `counts` (a task, a message) renders nothing here.
const select = ({ snapshot, status }: DashboardState) => ({
  consultant: snapshot?.consultant,
  familyClients: snapshot?.counts.familyClients,
  active: snapshot?.counts.active,
  completed: snapshot?.counts.completed,
  revenue: snapshot?.revenue,
  freshness: freshnessOf(status),
});

const CARDS: readonly { key: 'familyClients' | 'active' | 'completed'; label: string; part: string }[] = [
  { key: 'familyClients', label: 'Family Clients', part: 'family-clients' },
  { key: 'active', label: 'Active Consultations', part: 'active' },
  { key: 'completed', label: 'Completed Consultations', part: 'completed' },
];

/**
 * @summary The practice in four numbers: Family Clients, Active Consultations, Completed
 * Consultations and Monthly Revenue. Each card is a group named after what it counts.
 *
 * @csspart base - The grid of cards.
 * @csspart card - Every card; each also has its own part, below.
 * @csspart card-family-clients - The Family Clients card (also `card`).
 * @csspart card-active - The Active Consultations card (also `card`).
 * @csspart card-completed - The Completed Consultations card (also `card`).
 * @csspart card-revenue - The Monthly Revenue card (also `card`).
 * @csspart label - The name of a card.
 * @csspart value - The value of a card: one line, 2.25rem tall whatever the number (it is its own
 *   layout root); a larger line height needs a larger `block-size` too.
 *
 * @cssproperty --fg-stats-cards-gap - Space between cards.
 * @cssproperty --fg-stats-cards-background - Card background; defaults to `--fg-color-surface`.
 * @cssproperty --fg-stats-cards-label-color - Defaults to `--fg-color-text-muted`.
 * @cssproperty --fg-stats-cards-value-color - Defaults to `--fg-color-text`.
 * @cssproperty --fg-stats-cards-value-size - Font size of the values.
 */
export class FgStatsCards extends LitElement {
  static override styles = [widgetStyles, statsCardsStyles];

  private readonly _view = new StoreController(this, select, shallowEqual);
  private readonly _format = new FormatController(this);

  override render() {
    const { consultant, revenue, freshness } = this._view.value;
    const format = this._format.for(consultant);
    return html`
      <div part="base" class="grid ${freshness === 'fresh' ? '' : 'dimmed'}">
        ${CARDS.map(({ key, label, part }) =>
          this._renderCard(format, part, label, countText(format, this._view.value[key])),
        )}
        ${this._renderCard(
          format,
          'revenue',
          'Monthly Revenue',
          revenue && format.money(revenue.amountMinor, revenue.currency),
        )}
      </div>
    `;
  }

  protected override updated(): void {
    fitValue(this.renderRoot.querySelector('.revenue .value'));
  }

  private _renderCard(
    format: Formatter,
    part: string,
    label: string,
    value: TemplateResult | string | undefined,
  ) {
    return html`
      <div class="card ${part}" role="group" aria-labelledby="${part}-label" part="card card-${part}">
        <span class="label" id="${part}-label" part="label">${label}</span>
        ${renderValue(format, value)}
      </div>
    `;
  }
}
