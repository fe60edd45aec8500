// `npm test`: every check, in order, against real browsers and a real server.
// Installs the browsers from Debian when they are missing and we are root; otherwise says what is missing.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const which = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;

const required = [
  { cmd: 'chromium', pkg: 'chromium', why: 'browser tests and end-to-end tests (Chromium)' },
  { cmd: 'WebKitWebDriver', pkg: 'webkit2gtk-driver', why: 'browser tests in WebKit, Safari’s engine' },
  { cmd: 'xvfb-run', pkg: 'xvfb', why: 'a display for WebKit' },
];

function ensureSystemPackages() {
  const missing = required.filter((r) => !which(r.cmd));
  if (missing.length === 0) return;
  const pkgs = missing.map((m) => m.pkg);
  if (process.getuid?.() === 0 && which('apt-get')) {
    console.log(`Installing from Debian: ${pkgs.join(' ')}`);
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    for (const args of [
      ['update', '-qq'],
      ['install', '-y', '-qq', ...pkgs],
    ]) {
      const r = spawnSync('apt-get', args, { stdio: 'inherit', env });
      if (r.status !== 0) fail(`apt-get ${args[0]} failed`);
    }
    return;
  }
  fail(
    'Missing system packages needed by the tests:\n' +
      missing.map((m) => `  ${m.cmd} (Debian package ${m.pkg}): ${m.why}`).join('\n') +
      `\nInstall them, e.g.: sudo apt-get install -y ${pkgs.join(' ')}`,
  );
}

function fail(message) {
  console.error(`\nnpm test: ${message}`);
  process.exit(1);
}

const steps = [
  { name: 'type check', script: 'typecheck' },
  { name: 'lint', script: 'lint' },
  { name: 'server tests', script: 'test:server' },
  { name: 'browser tests', script: 'test:browser', when: () => existsSync('web-test-runner.config.mjs') },
  { name: 'end-to-end tests', script: 'test:e2e', when: () => existsSync('e2e') },
];

ensureSystemPackages();
const results = [];
for (const step of steps) {
  if (step.when && !step.when()) continue;
  console.log(`\n=== ${step.name} (npm run ${step.script}) ===`);
  const started = Date.now();
  const r = spawnSync('npm', ['run', '--silent', step.script], { stdio: 'inherit' });
  results.push({ ...step, ok: r.status === 0, seconds: ((Date.now() - started) / 1000).toFixed(1) });
}
console.log('\n=== summary ===');
for (const r of results) console.log(`${r.ok ? 'ok  ' : 'FAIL'} ${r.name} (${r.seconds} s)`);
const failed = results.filter((r) => !r.ok).length;
console.log(`${results.length - failed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
