// Single-file components, as the Vue plugin compiles them, for the type check.
declare module '*.vue' {
  import type { DefineComponent } from 'vue';
  const component: DefineComponent;
  export default component;
}
