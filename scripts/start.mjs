// `npm start`: builds, then runs the reference server in this process. npm stops a script by
// signalling the shell it started it in, and the shell does not pass the signal on: so the
// server also stops, as on SIGTERM, once that shell has gone (its parent is another one).
await import('./build.mjs');
const parent = process.ppid;
const watch = setInterval(() => {
  if (process.ppid === parent) return;
  clearInterval(watch);
  process.kill(process.pid, 'SIGTERM');
}, 1_000).unref();
await import('../demo-server/dist/main.js');
