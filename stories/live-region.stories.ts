import type { Meta, StoryObj } from '@storybook/web-components-vite';
import { html } from 'lit';
import { ref } from 'lit/directives/ref.js';
import '@fg/dashboard-elements/define/fg-dashboard.js';
import { STORY_NOW, typicalSnapshot } from './support/fixtures.js';
import { SimulatedBackend } from './support/simulated-backend.js';

interface RegionArgs {
  /** How many changes arrive at once after the dashboard loaded. */
  changes: number;
}

const backends = new WeakMap<Element, SimulatedBackend>();

const meta = {
  title: 'Widgets/Live region',
  component: 'fg-live-region',
  args: { changes: 3 },
  argTypes: { changes: { control: { type: 'range', min: 1, max: 30 } } },
  parameters: {
    fgWidth: '32rem',
    // The region speaks once changes have been quiet for a moment: its clock must run.
    fgTicking: true,
    docs: {
      description: {
        story:
          'Visually hidden in a page; restyled here through `::part(base)` to show what a screen ' +
          'reader hears. Only new messages and new bookings are announced, half a second after the ' +
          'last of them, a burst summed up; and changes of connection.',
      },
    },
  },
  render: () => {
    const backend = new SimulatedBackend({ snapshot: typicalSnapshot(), now: () => STORY_NOW });
    return html`
      <style>
        .fg-announcements fg-live-region::part(base) {
          position: static;
          contain: none;
          inline-size: auto;
          block-size: auto;
          margin: 0;
          clip-path: none;
          white-space: normal;
          padding: 0.75rem 1rem;
          border: 1px dashed var(--fg-color-border);
          border-radius: var(--fg-radius);
          background: var(--fg-color-surface);
        }
      </style>
      <fg-dashboard-provider
        class="fg-announcements"
        .client=${backend.store}
        ${ref((el) => el && backends.set(el, backend))}
      >
        <fg-live-region></fg-live-region>
      </fg-dashboard-provider>
    `;
  },
  play: async ({ canvasElement, args }) => {
    const provider = canvasElement.querySelector('.fg-announcements');
    const region = canvasElement.querySelector('fg-live-region');
    const backend = provider && backends.get(provider);
    if (!region || !backend) throw new Error('the live region story did not render');
    // The region takes the first dashboard it sees as history; what comes after is news.
    await region.updateComplete;
    await new Promise(requestAnimationFrame);
    backend.burst(args.changes);
  },
} satisfies Meta<RegionArgs>;

export default meta;
type Story = StoryObj<RegionArgs>;

export const Announcing: Story = {};
export const OneBooking: Story = { name: 'One booking', args: { changes: 1 } };
export const Burst: Story = { name: 'A burst of 20', args: { changes: 20 } };
export const Dark: Story = { globals: { theme: 'dark' } };
