import { FgLiveRegion } from '../live-region/live-region.js';
import { defineElement } from '../define-element.js';
// Defined first, so that a provider already in the page answers this widget's context request.
import './fg-dashboard-provider.js';
defineElement('fg-live-region', FgLiveRegion);

declare global {
  interface HTMLElementTagNameMap {
    'fg-live-region': FgLiveRegion;
  }
}
