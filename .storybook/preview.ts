import type { ArgTypesEnhancer } from 'storybook/internal/types';
import type { Preview, WebComponentsRenderer } from '@storybook/web-components-vite';
import { setCustomElementsManifest } from '@storybook/web-components-vite';
import { html } from 'lit';
import { setClock } from '@fg/dashboard-elements';
import '@fg/dashboard-elements/themes/light.css';
import '@fg/dashboard-elements/themes/dark.css';
import manifest from '../packages/elements/custom-elements.json';
import { STORY_NOW } from '../stories/support/fixtures.js';
import { renderWidget } from '../stories/support/story.js';
import { forStorybook } from './manifest.js';
import './preview.css';

setCustomElementsManifest(forStorybook(manifest));

/**
 * The manifest's entries as controls: a CSS custom property's a color picker (colors) or text,
 * a text attribute's text (not a JSON editor); parts, slots and events are documented with no
 * control, since no value set there would change the element.
 */
const manifestControls: ArgTypesEnhancer<WebComponentsRenderer> = ({ argTypes }) =>
  Object.fromEntries(
    Object.entries(argTypes).map(([name, argType]) => {
      const category = argType.table?.category;
      if (category === 'css custom properties')
        return [
          name,
          {
            ...argType,
            type: { name: 'string' as const },
            control: { type: /color|background/.test(name) ? ('color' as const) : ('text' as const) },
          },
        ];
      if (category === 'css shadow parts' || category === 'slots' || category === 'events')
        return [name, { ...argType, control: false as const }];
      if (/^string( \| undefined)?$/.test(argType.table?.type?.summary ?? ''))
        return [name, { ...argType, type: { name: 'string' as const }, control: { type: 'text' as const } }];
      return [name, argType];
    }),
  );

const preview: Preview = {
  tags: ['autodocs'],
  render: renderWidget,
  argTypesEnhancers: [manifestControls],
  initialGlobals: { theme: 'light' },
  globalTypes: {
    theme: {
      description: 'The FG Live theme around every story',
      toolbar: {
        title: 'Theme',
        icon: 'mirror',
        items: [
          { value: 'light', title: 'Light' },
          { value: 'dark', title: 'Dark' },
        ],
        dynamicTitle: true,
      },
    },
  },
  parameters: {
    layout: 'fullscreen',
    controls: { expanded: true, sort: 'requiredFirst' },
  },
  decorators: [
    (story, context) => {
      // Stories stand still at one moment, so "in 45 min" reads the same on every screenshot;
      // live stories run on the real clock, and ticking ones from that moment on (what waits
      // for time to pass, as the live region does, goes on).
      const start = performance.now();
      setClock(
        context.parameters['fgLive']
          ? undefined
          : context.parameters['fgTicking']
            ? () => STORY_NOW + (performance.now() - start)
            : () => STORY_NOW,
      );
      const theme = context.globals['theme'] === 'dark' ? 'dark' : 'light';
      const width = (context.parameters['fgWidth'] as string | undefined) ?? '60rem';
      return html`<div class="fg-story fg-theme-${theme}">
        <div class="fg-story-frame" style="max-inline-size: ${width}">${story()}</div>
      </div>`;
    },
  ],
};

export default preview;
