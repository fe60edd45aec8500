import { FgUpcomingList } from '../upcoming-list/upcoming-list.js';
import { defineElement } from '../define-element.js';
// Defined first, so that a provider already in the page answers this widget's context request.
import './fg-dashboard-provider.js';
defineElement('fg-upcoming-list', FgUpcomingList);

declare global {
  interface HTMLElementTagNameMap {
    'fg-upcoming-list': FgUpcomingList;
  }
}
