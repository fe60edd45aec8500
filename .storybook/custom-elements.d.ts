// The manifest is generated (`npm run analyze`), so the type check must not need it on disk.
declare module '*/custom-elements.json' {
  const manifest: Record<string, unknown>;
  export default manifest;
}
