import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, demoEnabled, readConfig } from '../src/config.js';

const SECRET = 'x'.repeat(32);

describe('the server configuration', () => {
  it('turns demo mode (token minting) on by itself only on a server with no secret of its own outside production', () => {
    assert.equal(demoEnabled({}), true);
    assert.equal(demoEnabled({ NODE_ENV: 'production' }), false);
    assert.equal(
      demoEnabled({ FG_JWT_SECRET: SECRET }),
      false,
      'a server given its own secret is a deployment',
    );
    assert.equal(demoEnabled({ FG_DEMO: '1', FG_JWT_SECRET: SECRET }), true);
    assert.equal(demoEnabled({ FG_DEMO: '1', NODE_ENV: 'production' }), true);
    assert.equal(demoEnabled({ FG_DEMO: '0' }), false);
    assert.throws(() => demoEnabled({ FG_DEMO: 'yes' }), /FG_DEMO must be 1 or 0/);
  });

  it('names the variable whose value it cannot use', () => {
    const cases: [Record<string, string>, RegExp][] = [
      [{ FG_DEMO: '0' }, /FG_JWT_SECRET is required/],
      [{ FG_JWT_SECRET: 'short' }, /FG_JWT_SECRET must be at least 32 characters/],
      [{ PORT: '70000' }, /PORT must be an integer from 0 to 65535/],
      [{ FG_ALLOWED_ORIGINS: 'example.com' }, /FG_ALLOWED_ORIGINS/],
      [{ FG_CLOCK: 'manual', FG_JWT_SECRET: SECRET }, /FG_CLOCK=manual needs demo mode/],
      [{ DATABASE_URL: 'mysql://db' }, /DATABASE_URL must be a PostgreSQL URL/],
      // Past 2^31 - 1 ms a timer fires at once: a heartbeat every millisecond.
      [{ FG_HEARTBEAT_MS: '3000000000' }, /FG_HEARTBEAT_MS must be an integer from 100 to 600000/],
      [{ FG_ASSETS_DIR: '/nonexistent' }, /FG_ASSETS_DIR: \/nonexistent holds no app\.js/],
      [
        { FG_TLS_CERT: '/nonexistent/cert.pem', FG_TLS_KEY: '/nonexistent/key.pem' },
        /FG_TLS_CERT: cannot read \/nonexistent\/cert\.pem \(ENOENT\)/,
      ],
    ];
    for (const [env, message] of cases) {
      assert.throws(
        () => readConfig(env),
        (error: unknown) => error instanceof ConfigError && message.test(error.message),
      );
    }
  });

  it('reads a deployment: its secret, demo mode off', () => {
    const config = readConfig({ FG_JWT_SECRET: SECRET, PORT: '0' });
    assert.equal(config.demo, false);
    assert.equal(config.jwtSecret, SECRET);
    assert.equal(config.port, 0);
  });
});
