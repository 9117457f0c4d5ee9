import { ChildProcess, spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { AddressInfo, createServer } from 'node:net';
import { join } from 'node:path';

export const BENCH_KEY = 'bench-admin-key-0123456789abcdef';

/** The platform in its own process, as it runs in production, started from the build. */
export interface BenchServer {
  readonly url: string;
  readonly pid: number;
  rssMb(): Promise<number>;
  stop(): Promise<void>;
}

/** A port that was free a moment ago. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Starts the server on a free port with LOG_LEVEL=warn (request logs would cost time), and waits until it is live. */
export function startServer(env: Record<string, string>): Promise<BenchServer> {
  return startProcess(join(__dirname, '..', '..', 'src', 'main.js'), {
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    ADMIN_API_KEY: BENCH_KEY,
    RATE_LIMIT_PER_MINUTE: '100000000',
    HEALTH_RECOMPUTE_INTERVAL_MS: '86400000',
    SUBSCRIBER_QUEUE_LIMIT: '100000',
    ...env,
  });
}

/** Starts the ingest floor (`bench/floor-server.ts`): bare Apollo on Express, the same request, no platform. */
export function startFloorServer(): Promise<BenchServer> {
  return startProcess(join(__dirname, '..', 'floor-server.js'), { NODE_ENV: 'production' });
}

/** Runs `script` with node on a free port (PORT, HOST), and waits until GET /health/live answers. */
async function startProcess(script: string, env: Record<string, string>): Promise<BenchServer> {
  const port = await freePort();
  const child: ChildProcess = spawn(process.execPath, [script], {
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (c) => (output += c));
  child.stderr!.on('data', (c) => (output += c));
  const url = `http://127.0.0.1:${port}`;
  let exited = false;
  child.once('exit', () => (exited = true));
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (exited) throw new Error(`server exited before it was live:\n${output}`);
    if (Date.now() > deadline) throw new Error(`server was not live within 120 s:\n${output}`);
    const live = await fetch(`${url}/health/live`).then(
      (r) => r.ok,
      () => false,
    );
    if (live) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    url,
    pid: child.pid!,
    async rssMb() {
      const status = await readFile(`/proc/${child.pid}/status`, 'utf8');
      return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) / 1024;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** One GraphQL operation over HTTP with the bench admin key; throws on any error. */
export async function gql<T = any>(url: string, query: string, variables?: Record<string, unknown>): Promise<T> {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${BENCH_KEY}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: T; errors?: unknown[] };
  if (body.errors?.length) throw new Error(`GraphQL errors: ${JSON.stringify(body.errors).slice(0, 500)}`);
  return body.data as T;
}
