// A Vue 3 app that embeds the dashboard's custom elements directly, as an integrator would.
import { createApp } from 'vue';
import '@fg/dashboard-elements/define/fg-dashboard.js';
import '@fg/dashboard-elements/themes/light.css';
import App from './App.vue';

createApp(App).mount('#app');
