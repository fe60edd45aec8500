import { FgConnectionStatus } from '../connection-status/connection-status.js';
import { defineElement } from '../define-element.js';
// Defined first, so that a provider already in the page answers this widget's context request.
import './fg-dashboard-provider.js';
defineElement('fg-connection-status', FgConnectionStatus);

declare global {
  interface HTMLElementTagNameMap {
    'fg-connection-status': FgConnectionStatus;
  }
}
