import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, resolve } from 'node:path';

const CLIENT = resolve(__dirname, '../client');

/** The client package as a user gets it: its own build, loadable with require(), needing only its two dependencies. */
describe('the client package', () => {
  const pkg = JSON.parse(readFileSync(join(CLIENT, 'package.json'), 'utf8')) as {
    name: string;
    main: string;
    dependencies: Record<string, string>;
  };
  let out: string;

  beforeAll(() => {
    // Inside the package, so that its dependencies resolve as they do from client/dist.
    out = mkdtempSync(join(CLIENT, '.test-build-'));
    execFileSync(process.execPath, [
      require.resolve('typescript/bin/tsc'),
      '-p',
      join(CLIENT, 'tsconfig.json'),
      '--outDir',
      out,
    ]);
  }, 60_000);

  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('is named and depends on graphql-ws and ws, and nothing else', () => {
    expect(pkg.name).toBe('@breaker-platform/client');
    expect(Object.keys(pkg.dependencies).sort()).toEqual(['graphql-ws', 'ws']);
  });

  /** Every .js file of the build, with the path of each module it requires. */
  const builtFiles = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
      entry.isDirectory() ? builtFiles(join(dir, entry.name)) : entry.name.endsWith('.js') ? [join(dir, entry.name)] : [],
    );

  it('requires nothing at run time but Node built-ins, its own files and those dependencies', () => {
    const allowed = new Set([
      ...builtinModules,
      ...builtinModules.map((m) => `node:${m}`),
      ...Object.keys(pkg.dependencies),
    ]);
    const required = builtFiles(out).flatMap((file) =>
      [...readFileSync(file, 'utf8').matchAll(/require\("([^"]+)"\)/g)].map((m) => ({ file, name: m[1] })),
    );
    expect(required.length).toBeGreaterThan(0);
    expect(required.filter(({ name }) => !name.startsWith('.') && !allowed.has(name)).map((r) => r.name)).toEqual([]);
    // A relative require stays inside the build: the package ships whole.
    const outside = required.filter(
      ({ file, name }) =>
        name.startsWith('.') &&
        !(resolve(dirname(file), name).startsWith(out) &&
          (existsSync(`${resolve(dirname(file), name)}.js`) || existsSync(join(resolve(dirname(file), name), 'index.js')))),
    );
    expect(outside).toEqual([]);
  });

  it('runs the platform’s engine compiled from its one source, not a copy', () => {
    // The engine's files are in the build only as compiled from src/breakers/engine; the client's sources hold none.
    expect(existsSync(join(out, 'src/breakers/engine/engine.js'))).toBe(true);
    expect(existsSync(join(out, 'src/breakers/in-process/circuit-breaker.js'))).toBe(true);
    const sources = (dir: string) =>
      readdirSync(dir, { recursive: true })
        .map(String)
        .filter((f) => f.endsWith('.ts') && !f.endsWith('.spec.ts'))
        .map((f) => readFileSync(join(dir, f), 'utf8'));
    const client = sources(join(CLIENT, 'src'));
    const engine = new Set(sources(resolve(CLIENT, '../src/breakers/engine')));
    expect(client.filter((text) => engine.has(text))).toEqual([]);
    // The state machine's entry points are defined there alone.
    expect(client.filter((text) => /export function (step|evolve)\b|class CircuitBreaker\b/.test(text))).toEqual([]);
  });

  it('loads with require() from its main, with its API', () => {
    expect(pkg.main).toBe('dist/client/src/index.js');
    const client = require(join(out, 'client/src/index.js')) as Record<string, unknown>;
    expect(Object.keys(client).sort()).toEqual([
      'BreakerOpenError',
      'DEFAULT_FLUSH_INTERVAL_MS',
      'DEFAULT_MAX_BATCH_SIZE',
      'DEFAULT_MAX_BUFFERED_OUTCOMES',
      'DEFAULT_REQUEST_TIMEOUT_MS',
      'GraphqlHttp',
      'GuardedBreaker',
      'OutcomeReporter',
      'Platform',
      'PlatformRequestError',
      'closeOnSignals',
      'connect',
      'recordOutcomesSender',
      'reportCockatiel',
      'reportOpossum',
    ]);
    expect(typeof client.connect).toBe('function');
  });
});
