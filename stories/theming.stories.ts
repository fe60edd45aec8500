import type { Meta, StoryObj } from '@storybook/web-components-vite';
import { html } from 'lit';
import { storeFor } from './support/story.js';

interface ThemingArgs {
  /** CSS put around the widgets: token overrides on `.brand`, `::part()` rules. */
  css: string;
  /** The whole `<fg-dashboard>`, or two widgets on their own (whose inner parts a page can reach). */
  layout: 'dashboard' | 'widgets';
}

/** A brand of its own through the global tokens alone. */
const BRAND_TOKENS = `.brand {
  padding: 1rem;
  background: var(--fg-color-background);
  --fg-font-family: Georgia, 'Times New Roman', serif;
  --fg-color-background: #f6f1ea;
  --fg-color-surface: #fffdf9;
  --fg-color-border: #e2d6c6;
  --fg-color-accent: #7a3e9d;
  --fg-color-success: #2f6b4f;
  --fg-radius: 2px;
  --fg-radius-small: 2px;
  --fg-shadow: none;
}`;

/** Finer control: per-widget properties and the parts each header lists. */
const PARTS = `.brand fg-stats-cards {
  --fg-stats-cards-value-size: 2.25rem;
  --fg-stats-cards-value-color: #1d4fb8;
}
.brand fg-stats-cards::part(card-revenue) {
  border-inline-start: 0.375rem solid #1a7f37;
}
.brand fg-upcoming-list::part(status-active) {
  text-transform: uppercase;
  letter-spacing: 0.04em;
}
.brand fg-upcoming-list {
  margin-block-start: 1rem;
}`;

/** The same rules on a whole `<fg-dashboard>`, through the parts it exports for its widgets. */
const DASHBOARD_PARTS = `.brand fg-dashboard {
  --fg-stats-cards-value-color: #1d4fb8;
}
.brand fg-dashboard::part(stats-card-revenue) {
  border-inline-start: 0.375rem solid #1a7f37;
}
.brand fg-dashboard::part(upcoming-status-active),
.brand fg-dashboard::part(messages-mark-read) {
  text-transform: uppercase;
  letter-spacing: 0.04em;
}
.brand fg-dashboard::part(tasks-badge-count) {
  font-weight: 800;
}`;

const meta = {
  title: 'Theming',
  component: 'fg-dashboard',
  args: { css: '', layout: 'dashboard' },
  argTypes: {
    css: { control: 'text' },
    layout: { control: 'inline-radio', options: ['dashboard', 'widgets'] },
  },
  // Its own controls only: it styles the dashboard through `css` (the dashboard's own are in Widgets/Dashboard).
  parameters: { fgWidth: '72rem', controls: { include: ['css', 'layout'] } },
  render: ({ css, layout }) => html`
    <style>
      ${css}
    </style>
    <div class="brand">
      <fg-dashboard-provider .client=${storeFor('typical')}>
        ${
          layout === 'dashboard'
            ? html`<fg-dashboard></fg-dashboard>`
            : html`<fg-stats-cards></fg-stats-cards><fg-upcoming-list></fg-upcoming-list>`
        }
      </fg-dashboard-provider>
    </div>
  `,
} satisfies Meta<ThemingArgs>;

export default meta;
type Story = StoryObj<ThemingArgs>;

export const Light: Story = {};
export const Dark: Story = { globals: { theme: 'dark' } };
export const BrandTokens: Story = { name: 'Brand tokens', args: { css: BRAND_TOKENS } };
export const Parts: Story = {
  name: 'Parts and widget properties',
  args: { css: PARTS, layout: 'widgets' },
  parameters: { fgWidth: '48rem' },
};
export const DashboardParts: Story = {
  name: 'Parts through the dashboard',
  args: { css: DASHBOARD_PARTS },
};
