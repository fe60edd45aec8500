import { FgCompletedCount } from '../completed-count/completed-count.js';
// Defined first, so that a provider already in the page answers this widget's context request.
import './fg-dashboard-provider.js';
if (!customElements.get('fg-completed-count')) customElements.define('fg-completed-count', FgCompletedCount);

declare global {
  interface HTMLElementTagNameMap {
    'fg-completed-count': FgCompletedCount;
  }
}
