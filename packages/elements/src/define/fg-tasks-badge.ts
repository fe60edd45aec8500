import { FgTasksBadge } from '../tasks-badge/tasks-badge.js';
// Defined first, so that a provider already in the page answers this widget's context request.
import './fg-dashboard-provider.js';
if (!customElements.get('fg-tasks-badge')) customElements.define('fg-tasks-badge', FgTasksBadge);

declare global {
  interface HTMLElementTagNameMap {
    'fg-tasks-badge': FgTasksBadge;
  }
}
