/**
 * How every widget story is drawn: the widget inside a `<fg-dashboard-provider>` whose
 * client is a store fed real protocol frames for the chosen state, with the story's args
 * (from `custom-elements.json`) applied to the widget.
 */
import { html, type TemplateResult } from 'lit';
import { ifDefined } from 'lit/directives/if-defined.js';
import type { ArgTypes, StoryContext } from '@storybook/web-components-vite';
import type { Snapshot } from '@fg/protocol';
import { createDashboardStore, type ConnectionStatus, type DashboardStore } from '@fg/realtime';
import '@fg/dashboard-elements/define/fg-dashboard.js';
import { STORY_NOW, busySnapshot, emptySnapshot, germanSnapshot, typicalSnapshot } from './fixtures.js';

export const STATES = [
  'loading',
  'empty',
  'typical',
  'busy',
  'reconnecting',
  'delayed',
  'offline',
  'expired',
  'german',
] as const;
export type StoryState = (typeof STATES)[number];

export interface WidgetArgs {
  /** What the dashboard is doing; every state is a store fed protocol frames. */
  state?: StoryState;
  /** The provider's `locale`: numbers and dates in another language. */
  locale?: string;
  [arg: string]: unknown;
}

/** The controls every widget story shares, beside those read from `custom-elements.json`. */
export const stateArgTypes: Partial<ArgTypes<WidgetArgs>> = {
  state: {
    control: 'select',
    options: STATES,
    description:
      'What the dashboard is doing. `busy` has counts above 99; `delayed` is the status after ' +
      'nothing was heard for heartbeat + 10 s; `german` is a de-DE consultant paid in euros.',
    table: { category: 'story' },
  },
  locale: {
    control: 'text',
    description: "The provider's `locale` (BCP 47); empty: the consultant's own.",
    table: { category: 'story' },
  },
};

/** Where a disconnected story last heard from the server: the status line reads "updated 42 sec. ago". */
const LAST_HEARD = STORY_NOW - 42_000;

const SNAPSHOTS: Partial<Record<StoryState, (now: number) => Snapshot>> = {
  empty: emptySnapshot,
  busy: busySnapshot,
  german: germanSnapshot,
};

const STATUSES: Partial<Record<StoryState, ConnectionStatus>> = {
  reconnecting: 'reconnecting',
  delayed: 'stale',
  offline: 'offline',
  expired: 'expired',
};

/** One store per state: nothing changes them, so every story in a state can share it. */
const stores = new Map<StoryState, DashboardStore>();

/** A store in the given state, built the way a client builds it: a snapshot frame, then a status. */
export function storeFor(state: StoryState): DashboardStore {
  let store = stores.get(state);
  if (!store) stores.set(state, (store = buildStore(state)));
  return store;
}

function buildStore(state: StoryState): DashboardStore {
  let now = STATUSES[state] ? LAST_HEARD : STORY_NOW;
  const store = createDashboardStore({ now: () => now });
  if (state === 'loading') return store;
  const snapshot = (SNAPSHOTS[state] ?? typicalSnapshot)(STORY_NOW);
  store.receive({ type: 'snapshot', ...snapshot, serverTime: now });
  now = STORY_NOW;
  const status = STATUSES[state] ?? 'live';
  store.setStatus(status, status === 'live' ? 'websocket' : null);
  return store;
}

/** Applies the args Storybook derived from the manifest: properties, attributes, CSS properties, events. */
export function applyArgs(el: HTMLElement, args: WidgetArgs, argTypes: StoryContext['argTypes']): void {
  for (const [name, value] of Object.entries(args)) {
    const category = argTypes[name]?.table?.category;
    if (value === undefined || value === '' || category === 'story') continue;
    if (category === 'attributes') el.setAttribute(name, String(value));
    else if (category === 'css custom properties') el.style.setProperty(name, String(value));
    else if (category === 'properties') (el as unknown as Record<string, unknown>)[name] = value;
    else if (typeof value === 'function') {
      // Storybook's action for each `@fires` event of the header.
      const event = (argTypes[name] as { action?: { name?: string } } | undefined)?.action?.name;
      if (event) el.addEventListener(event, value as EventListener);
    }
  }
}

/** The project's default render: `context.component` inside a provider in `args.state`. */
export function renderWidget(args: WidgetArgs, context: StoryContext): TemplateResult {
  const el = document.createElement(context.component as string);
  applyArgs(el, args, context.argTypes);
  return html`
    <fg-dashboard-provider
      .client=${storeFor(args.state ?? 'typical')}
      locale=${ifDefined(args.locale || undefined)}
      login-url=${ifDefined(args.state === 'expired' ? '#sign-in' : undefined)}
    >
      ${el}
    </fg-dashboard-provider>
  `;
}
