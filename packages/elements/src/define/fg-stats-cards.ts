import { FgStatsCards } from '../stats-cards/stats-cards.js';
// Defined first, so that a provider already in the page answers this widget's context request.
import './fg-dashboard-provider.js';
if (!customElements.get('fg-stats-cards')) customElements.define('fg-stats-cards', FgStatsCards);

declare global {
  interface HTMLElementTagNameMap {
    'fg-stats-cards': FgStatsCards;
  }
}
