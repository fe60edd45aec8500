import { FgWelcomeBanner } from '../welcome-banner/welcome-banner.js';
// Defined first, so that a provider already in the page answers this widget's context request.
import './fg-dashboard-provider.js';
if (!customElements.get('fg-welcome-banner')) customElements.define('fg-welcome-banner', FgWelcomeBanner);

declare global {
  interface HTMLElementTagNameMap {
    'fg-welcome-banner': FgWelcomeBanner;
  }
}
