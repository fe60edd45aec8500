import type { StorybookConfig } from '@storybook/web-components-vite';
import { defaultClientConditions, mergeConfig } from 'vite';

const config: StorybookConfig = {
  framework: { name: '@storybook/web-components-vite', options: {} },
  stories: ['../stories/**/*.stories.ts'],
  addons: ['@storybook/addon-docs'],
  core: { disableTelemetry: true },
  viteFinal: (vite) =>
    mergeConfig(vite, {
      // Storybook shows the elements' sources, so a change to an element is on screen at once.
      resolve: { conditions: ['fg-source', ...defaultClientConditions] },
      // Storybook's renderer imports this entry of Lit; pre-bundled with the others, the page
      // loads one copy of Lit instead of two.
      optimizeDeps: { include: ['lit/directive-helpers.js'] },
    }),
};

export default config;
