/**
 * nginx as the load balancer in front of several server nodes, on a loopback port, with a
 * generated configuration in a temporary folder (logs and temporary files inside it). The
 * configuration is the one docs/deployment.md describes: WebSocket upgrade headers, no
 * buffering and long read timeouts for SSE and long-polls, Host and Origin passed through,
 * and the next node tried when one refuses a connection.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../../scripts/ports.mjs';

export interface Nginx {
  readonly url: string;
  readonly port: number;
  readonly dir: string;
  stop(): Promise<void>;
}

export function nginxBinary(): string {
  const candidates = [process.env.FG_NGINX, '/usr/sbin/nginx'];
  const onPath = spawnSync('sh', ['-c', 'command -v nginx'], { encoding: 'utf8' }).stdout.trim();
  if (onPath) candidates.push(onPath);
  const found = candidates.find((path): path is string => Boolean(path && existsSync(path)));
  if (!found) {
    throw new Error(
      'nginx is not installed: the multi-node tests put it in front of the server nodes. ' +
        'Install the Debian package `nginx-light` or `nginx` (apt-get install -y nginx-light; .ci/run does), ' +
        'or point FG_NGINX at the binary.',
    );
  }
  return found;
}

/** The configuration for `upstreams` (host:port of each node), listening on `port`. */
export function nginxConfig(dir: string, port: number, upstreams: readonly string[]): string {
  const temp = (name: string): string => join(dir, 'temp', name);
  return `
worker_processes 1;
error_log ${join(dir, 'error.log')} warn;
events { worker_connections 4096; }

http {
  access_log ${join(dir, 'access.log')};
  client_body_temp_path ${temp('body')};
  proxy_temp_path ${temp('proxy')};
  fastcgi_temp_path ${temp('fastcgi')};
  uwsgi_temp_path ${temp('uwsgi')};
  scgi_temp_path ${temp('scgi')};

  # "Connection: upgrade" when the client asks for an upgrade (WebSocket), else no
  # Connection header at all, so connections to the nodes are kept alive.
  map $http_upgrade $connection_upgrade {
    default upgrade;
    ''      '';
  }

  upstream fg_nodes {
    # A node that refuses connections is left alone for a few seconds.
${upstreams.map((u) => `    server ${u} max_fails=1 fail_timeout=5s;`).join('\n')}
    keepalive 16;
  }

  server {
    listen 127.0.0.1:${port};

    proxy_http_version 1.1;
    # Every header is set here, once: a location that sets any would inherit none of these.
    # The nodes check Origin against the host the browser used: pass both through.
    proxy_set_header Host $http_host;
    proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
    proxy_set_header Upgrade $http_upgrade;
    proxy_set_header Connection $connection_upgrade;
    # A node that is down (refused, timed out) or unhealthy (503): try the next one.
    proxy_next_upstream error timeout http_502 http_503;
    proxy_connect_timeout 2s;

    location = /api/ws {
      proxy_pass http://fg_nodes;
      # Heartbeats every 15 s keep a healthy socket busy; this only ends dead ones.
      proxy_read_timeout 1h;
      proxy_send_timeout 1h;
    }

    location = /api/stream {
      proxy_pass http://fg_nodes;
      proxy_buffering off;
      proxy_cache off;
      proxy_read_timeout 1h;
      proxy_send_timeout 1h;
    }

    location = /api/changes {
      proxy_pass http://fg_nodes;
      proxy_buffering off;
      # Longer than the longest hold (30 s).
      proxy_read_timeout 60s;
    }

    # Each node's counters are for whoever runs it: scraped from the node's own address.
    location = /metrics {
      return 404;
    }

    location / {
      proxy_pass http://fg_nodes;
    }
  }
}
`;
}

const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/**
 * Waits until nginx has bound its port (it writes its pid file after binding): true; or has
 * exited because the port was taken meanwhile: false. Any other failure throws, with its log.
 */
async function bound(child: ChildProcess, dir: string, ms = 10_000): Promise<boolean> {
  const deadline = performance.now() + ms;
  for (;;) {
    if (existsSync(join(dir, 'nginx.pid'))) return true;
    const exited = child.exitCode !== null || child.signalCode !== null;
    if (exited || performance.now() > deadline) {
      const log = existsSync(join(dir, 'error.log')) ? readFileSync(join(dir, 'error.log'), 'utf8') : '';
      if (exited && log.includes('Address already in use')) return false;
      throw new Error(`nginx did not start (${child.exitCode ?? 'still starting'}):\n${log}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export async function startNginx(upstreams: readonly string[]): Promise<Nginx> {
  const binary = nginxBinary();
  const dir = mkdtempSync(join(tmpdir(), 'fg-nginx-'));
  mkdirSync(join(dir, 'temp'));
  let child: ChildProcess | undefined;
  let port = 0;
  // A port found free can be taken before nginx binds it: try a few.
  for (let attempt = 0; attempt < 5 && !child; attempt++) {
    port = await freePort();
    writeFileSync(join(dir, 'nginx.conf'), nginxConfig(dir, port, upstreams));
    rmSync(join(dir, 'error.log'), { force: true });
    const candidate = spawn(
      binary,
      [
        '-p',
        dir,
        '-c',
        join(dir, 'nginx.conf'),
        '-e',
        join(dir, 'error.log'),
        '-g',
        `daemon off; pid ${join(dir, 'nginx.pid')};`,
      ],
      // As root, nginx's workers run as `nobody`, which needs no access to the folder beyond
      // its temporary files (created by the master with the right owner).
      { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    running.add(candidate);
    let stderr = '';
    candidate.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    try {
      if (await bound(candidate, dir)) child = candidate;
      else running.delete(candidate);
    } catch (error) {
      candidate.kill('SIGKILL');
      running.delete(candidate);
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`${(error as Error).message}\n${stderr}`);
    }
  }
  if (!child) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error('nginx found no free port in 5 tries');
  }
  const nginx = child;
  let stopped: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    dir,
    stop() {
      stopped ??= (async () => {
        if (nginx.exitCode === null && nginx.signalCode === null) {
          await new Promise<void>((resolve) => {
            nginx.once('exit', () => resolve());
            // QUIT would wait for open WebSockets; TERM stops at once.
            nginx.kill('SIGTERM');
            setTimeout(() => nginx.kill('SIGKILL'), 5_000).unref();
          });
        }
        running.delete(nginx);
        rmSync(dir, { recursive: true, force: true });
      })();
      return stopped;
    },
  };
}
