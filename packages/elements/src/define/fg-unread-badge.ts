import { FgUnreadBadge } from '../unread-badge/unread-badge.js';
// Defined first, so that a provider already in the page answers this widget's context request.
import './fg-dashboard-provider.js';
if (!customElements.get('fg-unread-badge')) customElements.define('fg-unread-badge', FgUnreadBadge);

declare global {
  interface HTMLElementTagNameMap {
    'fg-unread-badge': FgUnreadBadge;
  }
}
