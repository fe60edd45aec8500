import type { Meta, StoryObj } from '@storybook/web-components-vite';
import type { FgDashboardProvider } from '@fg/dashboard-elements';
import { applyArgs, stateArgTypes, storeFor, type WidgetArgs } from './support/story.js';

const meta = {
  title: 'Elements/Provider',
  component: 'fg-dashboard-provider',
  argTypes: stateArgTypes,
  args: { state: 'typical' },
  parameters: {
    fgWidth: '72rem',
    docs: {
      description: {
        component:
          'Without an `endpoint` the stories hand the provider a store fed protocol frames (its ' +
          '`client` property). Give it the `endpoint` of a running FG Live backend (such as ' +
          '`npm start`, on http://127.0.0.1:8787) and a `token` to see real data instead. The backend ' +
          "must accept this page's origin: start it with `FG_ALLOWED_ORIGINS` naming Storybook's " +
          '(`FG_ALLOWED_ORIGINS=http://localhost:6006 npm start`); otherwise the browser refuses its ' +
          'answers and the provider stays on "Connecting…".',
      },
    },
  },
  render: (args, context) => {
    const provider = document.createElement('fg-dashboard-provider') as FgDashboardProvider;
    applyArgs(provider, args, context.argTypes);
    // The widget stories give `locale` to their own provider; here it is the provider's own.
    if (args.locale) provider.locale = args.locale;
    if (!provider.endpoint) provider.client = storeFor(args.state ?? 'typical');
    provider.append(document.createElement('fg-dashboard'));
    return provider;
  },
} satisfies Meta<WidgetArgs>;

export default meta;
type Story = StoryObj<WidgetArgs>;

export const WithAStore: Story = { name: 'With a store' };
export const SessionExpired: Story = {
  name: 'Session expired, with a login URL',
  args: { state: 'expired', 'login-url': '#sign-in' },
};
export const German: Story = { name: 'German locale for an English consultant', args: { locale: 'de-DE' } };
