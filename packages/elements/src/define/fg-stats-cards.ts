import { FgStatsCards } from '../stats-cards/stats-cards.js';
import { defineElement } from '../define-element.js';
// Defined first, so that a provider already in the page answers this widget's context request.
import './fg-dashboard-provider.js';
defineElement('fg-stats-cards', FgStatsCards);

declare global {
  interface HTMLElementTagNameMap {
    'fg-stats-cards': FgStatsCards;
  }
}
