import { FgRecentMessages } from '../recent-messages/recent-messages.js';
// Defined first, so that a provider already in the page answers this widget's context request.
import './fg-dashboard-provider.js';
if (!customElements.get('fg-recent-messages')) customElements.define('fg-recent-messages', FgRecentMessages);

declare global {
  interface HTMLElementTagNameMap {
    'fg-recent-messages': FgRecentMessages;
  }
}
