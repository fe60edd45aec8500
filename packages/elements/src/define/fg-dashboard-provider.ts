import { FgDashboardProvider } from '../provider/provider.js';
import { defineElement } from '../define-element.js';

defineElement('fg-dashboard-provider', FgDashboardProvider);

declare global {
  interface HTMLElementTagNameMap {
    'fg-dashboard-provider': FgDashboardProvider;
  }
}
