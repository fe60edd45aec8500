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

/** The manifest's CSS custom properties as controls: colors get a color picker, the rest text. */
const cssPropertyControls: ArgTypesEnhancer<WebComponentsRenderer> = ({ argTypes }) =>
  Object.fromEntries(
    Object.entries(argTypes).map(([name, argType]) => [
      name,
      argType.table?.category === 'css custom properties'
        ? {
            ...argType,
            type: { name: 'string' as const },
            control: { type: /color|background/.test(name) ? ('color' as const) : ('text' as const) },
          }
        : argType,
    ]),
  );

const preview: Preview = {
  tags: ['autodocs'],
  render: renderWidget,
  argTypesEnhancers: [cssPropertyControls],
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
      // live stories run on the real clock.
      setClock(context.parameters['fgLive'] ? undefined : () => STORY_NOW);
      const theme = context.globals['theme'] === 'dark' ? 'dark' : 'light';
      const width = (context.parameters['fgWidth'] as string | undefined) ?? '60rem';
      return html`<div class="fg-story fg-theme-${theme}">
        <div class="fg-story-frame" style="max-inline-size: ${width}">${story()}</div>
      </div>`;
    },
  ],
};

export default preview;
