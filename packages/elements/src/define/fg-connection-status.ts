import { FgConnectionStatus } from '../connection-status/connection-status.js';
// Defined first, so that a provider already in the page answers this widget's context request.
import './fg-dashboard-provider.js';
if (!customElements.get('fg-connection-status'))
  customElements.define('fg-connection-status', FgConnectionStatus);

declare global {
  interface HTMLElementTagNameMap {
    'fg-connection-status': FgConnectionStatus;
  }
}
