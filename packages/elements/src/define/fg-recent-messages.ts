import { FgRecentMessages } from '../recent-messages/recent-messages.js';
import { defineElement } from '../define-element.js';
// Defined first, so that a provider already in the page answers this widget's context request.
import './fg-dashboard-provider.js';
defineElement('fg-recent-messages', FgRecentMessages);

declare global {
  interface HTMLElementTagNameMap {
    'fg-recent-messages': FgRecentMessages;
  }
}
