import { FgUpcomingList } from '../upcoming-list/upcoming-list.js';
// Defined first, so that a provider already in the page answers this widget's context request.
import './fg-dashboard-provider.js';
if (!customElements.get('fg-upcoming-list')) customElements.define('fg-upcoming-list', FgUpcomingList);

declare global {
  interface HTMLElementTagNameMap {
    'fg-upcoming-list': FgUpcomingList;
  }
}
