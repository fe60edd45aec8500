// The server as a cluster for the fan-out benchmark: a PostgreSQL server, one or two nodes
// (the built server with DATABASE_URL) and nginx in front of them, all on loopback. The
// fan-out load goes through nginx, which spreads both the dashboards and the simulated
// events over the nodes, so about half of all deliveries cross from one node to the other
// through LISTEN/NOTIFY and a read of the log.
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { startNginx } from '../demo-server/test/support/nginx.js';
import { startPostgres } from '../demo-server/test/support/postgres.js';
import { BENCH_SECRET, type BenchServer } from './lib.js';

/** Pids of `root` and of every process under it (PostgreSQL's backends, nginx's workers). */
function processTree(root: number): number[] {
  const parents = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      parents.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // gone meanwhile
    }
  }
  const tree = [root];
  for (let i = 0; i < tree.length; i++) {
    for (const [pid, parent] of parents) if (parent === tree[i]) tree.push(pid);
  }
  return tree;
}

function startNodeProcess(
  name: string,
  env: Record<string, string>,
): Promise<{ url: string; child: ChildProcess }> {
  const main = process.env.FG_BENCH_SERVER ?? 'demo-server/dist/main.js';
  const child = spawn(process.execPath, [main], {
    env: {
      ...process.env,
      HOST: '127.0.0.1',
      PORT: '0',
      FG_DEMO: '1',
      FG_JWT_SECRET: BENCH_SECRET,
      FG_NODE_NAME: name,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const match = /listening on (https?:\/\/\S+)/.exec(line);
      if (match) resolve({ url: match[1]!, child });
    });
    child.once('exit', (code) => reject(new Error(`node ${name} exited with ${code}`)));
  });
}

/**
 * `nodes` server nodes on a fresh PostgreSQL server, behind nginx. `pids` are the nodes (the
 * "server" CPU and memory of the report, comparable with the one-node run); PostgreSQL and
 * nginx are measured apart (`supportPids`).
 */
export async function startClusterBench(nodes: number, loadConsultants: number): Promise<BenchServer> {
  const pg = await startPostgres();
  const children: ChildProcess[] = [];
  let lb: Awaited<ReturnType<typeof startNginx>> | undefined;
  const stopAll = async (): Promise<void> => {
    await lb?.stop();
    await Promise.all(
      children.map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
            child.once('exit', () => {
              clearTimeout(killer);
              resolve();
            });
            child.kill('SIGTERM');
          }),
      ),
    );
    await pg.stop();
  };
  try {
    const databaseUrl = await pg.createDatabase('fg_bench');
    const env = { DATABASE_URL: databaseUrl, FG_LOAD_CONSULTANTS: String(loadConsultants) };
    // The first node creates the schema and the load-test consultants; the others join.
    const first = await startNodeProcess('bench-0', env);
    children.push(first.child);
    const rest = await Promise.all(
      Array.from({ length: nodes - 1 }, (_, i) => startNodeProcess(`bench-${i + 1}`, env)),
    );
    children.push(...rest.map((r) => r.child));
    const urls = [first, ...rest].map((r) => new URL(r.url).host);
    lb = await startNginx(urls);
    const nginxPid = Number(readFileSync(`${lb.dir}/nginx.pid`, 'utf8').trim());
    const postmaster = pg.pid;
    return {
      url: lb.url,
      pid: first.child.pid!,
      pids: children.map((child) => child.pid!),
      supportPids: () => [...processTree(postmaster), ...processTree(nginxPid)],
      dbPath: '',
      child: first.child,
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
