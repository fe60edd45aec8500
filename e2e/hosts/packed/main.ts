// The elements as an npm user gets them: bare imports resolved from the installed tarballs.
import '@fg/dashboard-elements/define/fg-dashboard.js';
import '@fg/dashboard-elements/themes/light.css';
import type { FgDashboardProvider } from '@fg/dashboard-elements';

const { endpoint, token } = (window as unknown as { FG_HOST: { endpoint: string; token: string } }).FG_HOST;
const provider = document.createElement('fg-dashboard-provider') as FgDashboardProvider;
provider.endpoint = endpoint;
provider.token = token;
provider.append(document.createElement('fg-dashboard'));
document.querySelector('main')!.append(provider);
