import { FgDashboardProvider } from '../provider/provider.js';

if (!customElements.get('fg-dashboard-provider'))
  customElements.define('fg-dashboard-provider', FgDashboardProvider);

declare global {
  interface HTMLElementTagNameMap {
    'fg-dashboard-provider': FgDashboardProvider;
  }
}
