/**
 * The environment of `main.ts`, read and checked in one place. A bad value stops the start
 * with a message naming the variable, rather than running with a surprise.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createSecureContext } from 'node:tls';
import { Limits } from '@fg/protocol';
import { ManualClock, SystemClock } from './clock.js';
import { isValidOriginSetting } from './http/origin.js';
import type { StartOptions } from './server.js';

export class ConfigError extends Error {}

type Env = Record<string, string | undefined>;

function integer(
  env: Env,
  name: string,
  fallback: number,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name} must be an integer from ${min} to ${max}, not ${JSON.stringify(raw)}`);
  }
  return value;
}

/**
 * Demo mode is on when FG_DEMO=1, off when FG_DEMO=0. Left unset, it is on only for a server
 * that looks like a laptop's: neither NODE_ENV=production nor a JWT secret of its own (a
 * server given FG_JWT_SECRET is a deployment, and token minting there would hand anyone a
 * valid token for any consultant). So `npm start` is a working demo, and a deployment never
 * exposes token minting by accident.
 */
export function demoEnabled(env: Env): boolean {
  const raw = env.FG_DEMO;
  if (raw === undefined || raw === '') return env.NODE_ENV !== 'production' && !env.FG_JWT_SECRET;
  if (raw === '1' || raw === 'true') return true;
  if (raw === '0' || raw === 'false') return false;
  throw new ConfigError(`FG_DEMO must be 1 or 0, not ${JSON.stringify(raw)}`);
}

/** A file a variable names, read now: an unreadable one stops the start, naming both. */
function readSetting(name: string, path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    throw new ConfigError(`${name}: cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? error})`);
  }
}

export function readConfig(env: Env = process.env): StartOptions {
  const demo = demoEnabled(env);

  const jwtSecret = env.FG_JWT_SECRET || undefined;
  if (!jwtSecret && !demo) throw new ConfigError('FG_JWT_SECRET is required when demo mode is off');
  if (jwtSecret && jwtSecret.length < 32) {
    throw new ConfigError('FG_JWT_SECRET must be at least 32 characters (an HS256 key of 256 bits)');
  }

  const allowedOrigins = (env.FG_ALLOWED_ORIGINS ?? '')
    .split(',')
    .map((o) => o.trim())
    .filter(Boolean);
  for (const origin of allowedOrigins) {
    if (!isValidOriginSetting(origin)) {
      throw new ConfigError(
        `FG_ALLOWED_ORIGINS: ${JSON.stringify(origin)} is not an origin like https://example.com`,
      );
    }
  }

  const cert = env.FG_TLS_CERT;
  const key = env.FG_TLS_KEY;
  if (Boolean(cert) !== Boolean(key)) throw new ConfigError('FG_TLS_CERT and FG_TLS_KEY go together');
  const tls =
    cert && key ? { cert: readSetting('FG_TLS_CERT', cert), key: readSetting('FG_TLS_KEY', key) } : undefined;
  if (tls) {
    // Checked now, not once the database is open: a PEM that is not one, or a key of
    // another certificate.
    try {
      createSecureContext(tls);
    } catch (error) {
      throw new ConfigError(
        `FG_TLS_CERT and FG_TLS_KEY (${cert}, ${key}) cannot serve HTTPS: ${(error as Error).message}`,
      );
    }
  }

  // The demo page's scripts and styles: a folder without them would serve a blank page.
  const assetsDir = env.FG_ASSETS_DIR ? resolve(env.FG_ASSETS_DIR) : undefined;
  if (assetsDir && !existsSync(join(assetsDir, 'app.js'))) {
    throw new ConfigError(
      `FG_ASSETS_DIR: ${assetsDir} holds no app.js (the built demo page: demo-server/dist/public)`,
    );
  }

  const clockKind = env.FG_CLOCK ?? 'system';
  if (clockKind !== 'system' && clockKind !== 'manual') {
    throw new ConfigError(`FG_CLOCK must be system or manual, not ${JSON.stringify(clockKind)}`);
  }
  if (clockKind === 'manual' && !demo) throw new ConfigError('FG_CLOCK=manual needs demo mode (FG_DEMO=1)');

  // Several nodes share one PostgreSQL database; without it, one node keeps an SQLite file.
  const databaseUrl = env.DATABASE_URL?.trim() || undefined;
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new ConfigError('DATABASE_URL must be a PostgreSQL URL like postgres://user:password@host:5432/db');
  }

  return {
    host: env.HOST || '127.0.0.1',
    port: integer(env, 'PORT', 8787, 0, 65535),
    dbPath: resolve(env.FG_DB || './data/fg.db'),
    databaseUrl,
    nodeName: env.FG_NODE_NAME || undefined,
    leaderCheckMs: integer(env, 'FG_LEADER_CHECK_MS', 2000, 50, 600_000),
    databaseGraceMs: integer(env, 'FG_DB_GRACE_MS', 3000, 0, 600_000),
    assetsDir,
    demo,
    jwtSecret,
    heartbeatMs: integer(env, 'FG_HEARTBEAT_MS', Limits.heartbeatMs, 100, 600_000),
    allowedOrigins,
    retention: {
      events: integer(env, 'FG_RETENTION_EVENTS', Limits.retentionEvents, 1),
      ms: integer(env, 'FG_RETENTION_MS', Limits.retentionMs, 1000),
    },
    tls,
    loadConsultants: integer(env, 'FG_LOAD_CONSULTANTS', 0, 0, 100_000),
    clock: clockKind === 'manual' ? new ManualClock(Date.now()) : new SystemClock(),
  };
}
