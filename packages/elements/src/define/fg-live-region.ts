import { FgLiveRegion } from '../live-region/live-region.js';
// Defined first, so that a provider already in the page answers this widget's context request.
import './fg-dashboard-provider.js';
if (!customElements.get('fg-live-region')) customElements.define('fg-live-region', FgLiveRegion);

declare global {
  interface HTMLElementTagNameMap {
    'fg-live-region': FgLiveRegion;
  }
}
