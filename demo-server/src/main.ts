/**
 * The reference server as a process: configuration from the environment (see config.ts),
 * one line saying where it listens, and a clean stop on SIGTERM/SIGINT (WebSockets closed
 * with 1001, streams ended, database closed).
 */
import { ConfigError, readConfig } from './config.js';
import { startServer } from './server.js';

async function main(): Promise<void> {
  let config;
  try {
    config = readConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`FG Live: ${error.message}`);
      process.exit(2);
    }
    throw error;
  }
  const server = await startServer(config);
  console.log(`FG Live reference server listening on ${server.url}`);
  // The URL holds credentials: name the database kind, never the URL.
  console.log(
    config.databaseUrl
      ? 'Storage: PostgreSQL, as one of any number of nodes.'
      : `Storage: SQLite, ${config.dbPath}.`,
  );
  if (config.demo) console.log('Demo mode: /api/demo/* routes are on.');

  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) {
      // A second signal means "now".
      process.exit(1);
    }
    stopping = true;
    console.log(`${signal}: closing connections and the database`);
    server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    console.error(`FG Live: ${error.message}`);
    process.exit(2);
  }
  console.error('FG Live failed to start:', error);
  process.exit(1);
});
