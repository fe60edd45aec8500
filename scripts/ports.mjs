// A port for a process that cannot be told to listen on port 0 and report back (nginx,
// PostgreSQL, WebKitWebDriver, a test page whose origin must be known before it starts).
import net from 'node:net';
import { readFileSync } from 'node:fs';

/** Linux's ephemeral range, from which `listen(0)` and outgoing connections take ports. */
function ephemeralRange() {
  try {
    const [low, high] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8')
      .trim()
      .split(/\s+/)
      .map(Number);
    if (low > 0 && high >= low) return [low, high];
  } catch {
    // not Linux: IANA's range
  }
  return [49152, 65535];
}

/** Ports below the ephemeral range, above the well-known ones and the usual development servers'. */
const FIRST = 20_000;

const tryListen = (port) =>
  new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });

/**
 * A free TCP port on the loopback interface, outside the ephemeral range: between this check
 * and the caller's own bind, nothing that listens on port 0 or connects out can be given it,
 * so only a process asking for this very port could take it first.
 */
export async function freePort() {
  const [low] = ephemeralRange();
  const last = Math.max(FIRST + 1_000, low - 1);
  for (let tries = 0; tries < 50; tries++) {
    const port = FIRST + Math.floor(Math.random() * (last - FIRST + 1));
    if (await tryListen(port)) return port;
  }
  throw new Error(`no free port found between ${FIRST} and ${last}`);
}
