import type { Meta, StoryObj } from '@storybook/web-components-vite';
import { html } from 'lit';
import { createRef, ref } from 'lit/directives/ref.js';
import type { Snapshot } from '@fg/protocol';
import '@fg/dashboard-elements/define/fg-dashboard.js';
import { emptySnapshot, germanSnapshot, typicalSnapshot } from './support/fixtures.js';
import { SimulatedBackend } from './support/simulated-backend.js';

interface LiveArgs {
  /** Which practice the simulated backend starts from. */
  practice: 'typical' | 'empty' | 'german';
  /** Play the script of changes on a timer. */
  autoplay: boolean;
  /** Time between two changes while autoplay is on. */
  intervalMs: number;
}

const PRACTICES: Record<LiveArgs['practice'], (now: number) => Snapshot> = {
  typical: typicalSnapshot,
  empty: emptySnapshot,
  german: germanSnapshot,
};

function renderLive({ practice, autoplay, intervalMs }: LiveArgs) {
  const backend = new SimulatedBackend({ snapshot: PRACTICES[practice](Date.now()) });
  const provider = createRef<HTMLElement>();
  // The backend stops by itself once the story is gone from the page.
  if (autoplay) backend.start(intervalMs, () => !provider.value || provider.value.isConnected);
  return html`
    <div class="fg-simulator" role="group" aria-label="Simulated backend">
      <button type="button" @click=${() => backend.act('book')}>A family books</button>
      <button type="button" @click=${() => backend.act('message')}>A family writes</button>
      <button type="button" @click=${() => backend.act('payment')}>A payment arrives</button>
      <button type="button" @click=${() => backend.act('start')}>A consultation starts</button>
      <button type="button" @click=${() => backend.act('complete')}>A consultation ends</button>
      <button type="button" @click=${() => backend.burst()}>A burst of 12</button>
      <button type="button" @click=${() => backend.drop('reconnecting')}>Drop the connection</button>
      <button type="button" @click=${() => backend.drop('offline')}>Go offline</button>
      <button type="button" @click=${() => backend.resume()}>Reconnect</button>
      <button type="button" @click=${() => backend.expire()}>End the session</button>
    </div>
    <fg-dashboard-provider ${ref(provider)} .client=${backend.store} login-url="#sign-in">
      <fg-dashboard></fg-dashboard>
    </fg-dashboard-provider>
  `;
}

const meta = {
  title: 'Live/Simulated backend',
  component: 'fg-dashboard',
  render: renderLive,
  args: { practice: 'typical', autoplay: true, intervalMs: 2500 },
  argTypes: {
    practice: { control: 'inline-radio', options: ['typical', 'empty', 'german'] },
    intervalMs: { name: 'interval (ms)', control: { type: 'range', min: 250, max: 10_000, step: 250 } },
  },
  parameters: {
    fgLive: true,
    fgWidth: '72rem',
    // Its own controls only (the dashboard's are in Widgets/Dashboard).
    controls: { include: ['practice', 'autoplay', 'intervalMs'] },
    docs: {
      description: {
        component:
          'The dashboard fed by a backend simulated in the browser: it commits changes to a practice ' +
          'and sends the widgets the protocol frames a server would (next `seq`, every touched ' +
          'section whole), on a timer and on the buttons. Dropping the connection holds the frames ' +
          'back and reconnecting replays them in order, as a resume does.',
      },
    },
  },
} satisfies Meta<LiveArgs>;

export default meta;
type Story = StoryObj<LiveArgs>;

export const Live: Story = {};
export const LiveDark: Story = { name: 'Live, dark', globals: { theme: 'dark' } };
export const LiveGerman: Story = { name: 'Live, German (de-DE, EUR)', args: { practice: 'german' } };
export const FromEmpty: Story = { name: 'Live, from an empty practice', args: { practice: 'empty' } };
