import type { Meta, StoryObj } from '@storybook/web-components-vite';
import { stateArgTypes, type WidgetArgs } from './support/story.js';

const meta = {
  title: 'Widgets/Recent messages',
  component: 'fg-recent-messages',
  argTypes: stateArgTypes,
  args: { state: 'typical' },
  parameters: { fgWidth: '32rem' },
} satisfies Meta<WidgetArgs>;

export default meta;
type Story = StoryObj<WidgetArgs>;

export const Typical: Story = {};
export const Narrow: Story = {
  parameters: {
    fgWidth: '19rem',
    docs: {
      description: {
        story:
          'Below 20rem (a phone with large text): who wrote, when, the text and the button take a line each.',
      },
    },
  },
};
export const Loading: Story = { args: { state: 'loading' } };
export const Empty: Story = { args: { state: 'empty' } };
export const Over99: Story = { name: '99+', args: { state: 'busy' } };
export const Reconnecting: Story = { args: { state: 'reconnecting' } };
export const Delayed: Story = { args: { state: 'delayed' } };
export const Offline: Story = { args: { state: 'offline' } };
export const Expired: Story = { args: { state: 'expired' } };
export const Dark: Story = { globals: { theme: 'dark' } };
export const German: Story = { name: 'German (de-DE, EUR)', args: { state: 'german' } };
