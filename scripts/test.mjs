// `npm test`: every check, in order, against real browsers and a real server.
// Installs the browsers from Debian when they are missing and we are root; otherwise says what is missing.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, unlinkSync, writeFileSync } from 'node:fs';

const which = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;

const required = [
  { cmd: 'chromium', pkg: 'chromium', why: 'browser tests and end-to-end tests (Chromium)' },
  { cmd: 'WebKitWebDriver', pkg: 'webkit2gtk-driver', why: 'browser tests in WebKit, Safari’s engine' },
  { cmd: 'xvfb-run', pkg: 'xvfb', why: 'a display for WebKit' },
  {
    cmd: 'initdb',
    pkg: 'postgresql',
    why: 'server tests on PostgreSQL, several nodes among them',
    // Debian keeps it in a folder of its version.
    found: () =>
      which('initdb') ||
      (existsSync('/usr/lib/postgresql') &&
        readdirSync('/usr/lib/postgresql').some((v) => existsSync(`/usr/lib/postgresql/${v}/bin/initdb`))),
  },
  {
    cmd: 'nginx',
    pkg: 'nginx-light',
    why: 'server tests of several nodes behind a load balancer',
    found: () => which('nginx') || existsSync('/usr/sbin/nginx'),
  },
];

function ensureSystemPackages() {
  const missing = required.filter((r) => !(r.found ? r.found() : which(r.cmd)));
  if (missing.length === 0) return;
  const pkgs = missing.map((m) => m.pkg);
  if (process.getuid?.() === 0 && which('apt-get')) {
    console.log(`Installing from Debian: ${pkgs.join(' ')}`);
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    // Installed, not started: the tests run their own PostgreSQL and nginx on loopback ports.
    const policy = '/usr/sbin/policy-rc.d';
    const ownPolicy = !existsSync(policy);
    if (ownPolicy) writeFileSync(policy, '#!/bin/sh\nexit 101\n', { mode: 0o755 });
    try {
      for (const args of [
        ['update', '-qq'],
        ['install', '-y', '-qq', ...pkgs],
      ]) {
        const r = spawnSync('apt-get', args, { stdio: 'inherit', env });
        if (r.status !== 0) fail(`apt-get ${args[0]} failed`);
      }
    } finally {
      if (ownPolicy) unlinkSync(policy);
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

/**
 * Runs one step, passing its output through, and keeps what a reader of the end of the log
 * needs when it fails: the lines that report failures, with the lines after them.
 */
function runStep(script) {
  return new Promise((resolve) => {
    // Piped, so the tools would drop their colours: keep them for a terminal.
    const env = process.stdout.isTTY ? { ...process.env, FORCE_COLOR: '1' } : process.env;
    const child = spawn('npm', ['run', '--silent', script], { stdio: ['inherit', 'pipe', 'pipe'], env });
    const lines = [];
    let partial = '';
    const keep = (chunk) => {
      const text = partial + chunk;
      const parts = text.split('\n');
      partial = parts.pop();
      lines.push(...parts);
    };
    // Whole characters only (a test runner's ❌ is three bytes, and may span two chunks).
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (chunk) => {
      process.stdout.write(chunk);
      keep(chunk);
    });
    child.stderr.on('data', (chunk) => {
      process.stderr.write(chunk);
      keep(chunk);
    });
    child.on('close', (code) => {
      if (partial) lines.push(partial);
      resolve({ ok: code === 0, failures: failureExcerpt(lines), failedTests: failedTests(lines) });
    });
  });
}

// web-test-runner marks a failed test with ❌, node:test with ✖ or "not ok"; a step that
// fails without a failed test (a crash, a tool's own error) says Error: or "failed to".
const FAILED_TEST = /❌|✖|^\s*not ok\b/;
const OTHER_FAILURE = /\bfailed to\b|Error:/;
// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;]*[A-Za-z]/g;

/**
 * The failed tests' lines and the 12 after each, at most 200 lines in all; without a failed
 * test, the error lines (the runners also print errors that fail nothing, so those come second).
 */
function failureExcerpt(lines) {
  const plain = lines.map((line) => line.replace(ANSI, ''));
  const marker = plain.some((line) => FAILED_TEST.test(line)) ? FAILED_TEST : OTHER_FAILURE;
  const picked = new Set();
  plain.forEach((line, i) => {
    if (!marker.test(line)) return;
    for (let j = i; j < Math.min(plain.length, i + 13); j++) picked.add(j);
  });
  const out = [];
  let last = -2;
  for (const i of [...picked].sort((a, b) => a - b)) {
    if (i !== last + 1 && out.length) out.push('  ...');
    out.push(plain[i]);
    last = i;
  }
  return out.length > 200
    ? [...out.slice(0, 200), `  ... (${out.length - 200} more lines in the step's output above)`]
    : out;
}

/** The failed tests, once each, with their file when the runner names it: what a log's end must show. */
function failedTests(lines) {
  const names = [];
  let file = '';
  for (const raw of lines) {
    const line = raw.replace(ANSI, '').trim();
    if (/\.test\.[cm]?[jt]s:$/.test(line)) file = line.slice(0, -1);
    else if (/^(❌|✖|not ok\b)/.test(line) && !/^✖ failing tests:?$/.test(line))
      names.push(file ? `${line}  (${file})` : line);
  }
  return [...new Set(names)];
}

ensureSystemPackages();
const results = [];
for (const step of steps) {
  if (step.when && !step.when()) continue;
  console.log(`\n=== ${step.name} (npm run ${step.script}) ===`);
  const started = Date.now();
  const r = await runStep(step.script);
  results.push({ ...step, ...r, seconds: ((Date.now() - started) / 1000).toFixed(1) });
}
for (const r of results.filter((r) => !r.ok)) {
  console.log(`\n=== what failed in ${r.name} ===`);
  console.log(r.failures.length ? r.failures.join('\n') : '(no failure lines found; see its output above)');
}
for (const r of results.filter((r) => !r.ok && r.failedTests.length)) {
  console.log(`\n=== failed tests in ${r.name} ===`);
  console.log(r.failedTests.slice(0, 12).join('\n'));
  if (r.failedTests.length > 12) console.log(`... and ${r.failedTests.length - 12} more`);
}
console.log('\n=== summary ===');
for (const r of results) console.log(`${r.ok ? 'ok  ' : 'FAIL'} ${r.name} (${r.seconds} s)`);
const failed = results.filter((r) => !r.ok).length;
console.log(`${results.length - failed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
