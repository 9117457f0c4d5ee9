import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { cpus, totalmem } from 'node:os';
import { createBenchDatabase } from './lib/bench-db';
import { startFloorServer, startServer } from './lib/server';
import { round } from './lib/stats';
import { openDirect } from './scenarios/direct-db';
import { dashboardScenario } from './scenarios/dashboard.bench';
import { engineScenario } from './scenarios/engine.bench';
import { HISTORY_FULL, HISTORY_QUICK, historyScenario } from './scenarios/history.bench';
import { fanoutScenario } from './scenarios/fanout.bench';
import { graphqlFloor, ingestScenario, RawIngest, rawIngestBaseline, WIDE_STREAMS } from './scenarios/ingest.bench';
import { rawReportBaselines, reportScenario, seedHistory } from './scenarios/report.bench';
import { sdkScenario } from './scenarios/sdk.bench';
import { SCENARIO_NAMES, shapeProblems } from './results-shape';
import { markdownTable } from './table';

interface Options {
  readonly quick: boolean;
  readonly out: string;
  /** The scenarios to run (`--only`), in the order a full run takes them; null for all. */
  readonly only: readonly string[] | null;
}

/** How much each scenario does: full, or `--quick`. */
interface Scale {
  breakers: number;
  events: number;
  ingestSeconds: number;
  samples: number;
  subscribers: number;
  transitions: number;
}

const QUICK: Scale = {
  breakers: 100,
  events: 50_000,
  ingestSeconds: 3,
  samples: 30,
  subscribers: 100,
  transitions: 10,
};
const FULL: Scale = {
  breakers: 1000,
  events: 1_000_000,
  ingestSeconds: 15,
  samples: 200,
  subscribers: 1000,
  transitions: 40,
};

const USAGE = `use --quick, --out FILE and --only NAME[,NAME…] (${SCENARIO_NAMES.join(', ')})`;

/** A mistake in the command line: said in one line, without a stack. */
class UsageError extends Error {}

function parseArgs(argv: readonly string[]): Options {
  let quick = false;
  let out: string | null = null;
  let only: string[] | null = null;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--quick') quick = true;
    else if (argv[i] === '--out' && argv[i + 1]) out = argv[++i];
    else if (argv[i] === '--only' && argv[i + 1]) only = parseOnly(argv[++i]);
    else throw new UsageError(`unknown argument "${argv[i]}"; ${USAGE}`);
  }
  // latest.json holds full runs: a limited one goes beside it unless told where.
  return {
    quick,
    only,
    out: out ?? (only ? `bench/results/only-${only.join('-')}.json` : 'bench/results/latest.json'),
  };
}

function parseOnly(value: string): string[] {
  const names = value.split(',').filter((name) => name.length > 0);
  const unknown = names.filter((name) => !SCENARIO_NAMES.includes(name));
  if (names.length === 0 || unknown.length > 0) {
    throw new UsageError(
      `unknown scenario "${unknown.join(', ') || value}" for --only; the scenarios are: ${SCENARIO_NAMES.join(', ')}`,
    );
  }
  return SCENARIO_NAMES.filter((name) => names.includes(name));
}

/**
 * `npm run bench [-- --quick] [-- --out FILE] [-- --only NAME]`: every scenario, or the ones
 * named; JSON to FILE and a markdown table to stdout.
 */
async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  const ran = options.only ?? SCENARIO_NAMES;
  const want = (name: string) => ran.includes(name);
  const scale = options.quick ? QUICK : FULL;
  const started = Date.now();
  // The harness reads DATABASE_URL like the app does; it is a tool, not the app, so it reads it here.
  // The engine alone needs no database.
  // The history scenario makes a database of its own, the size of its seeded history.
  const db = ran.some((name) => name !== 'engine' && name !== 'history')
    ? await createBenchDatabase(process.env.DATABASE_URL)
    : null;
  const scenarios: Record<string, object> = {};
  try {
    log(
      `database: ${db?.description ?? (want('history') ? 'one of its own for history' : 'none')}; scale: ${options.quick ? 'quick' : 'full'}; scenarios: ${ran.join(', ')}`,
    );
    if (want('engine')) {
      log('engine…');
      scenarios.engine = await engineScenario(options.quick);
    }
    if (db) Object.assign(scenarios, await platformScenarios(db.env, scale, options.quick, want));
    if (want('history')) {
      log('history (its own database; the full scale seeds 10 M events)…');
      scenarios.history = await historyScenario(options.quick ? HISTORY_QUICK : HISTORY_FULL, log);
    }
  } finally {
    await db?.drop();
  }
  const results = {
    generated_at: new Date().toISOString(),
    mode: options.quick ? 'quick' : 'full',
    ...(options.only ? { only: options.only } : {}),
    database: ran.some((name) => name !== 'engine') ? (process.env.DATABASE_URL ? 'postgres' : 'embedded') : 'none',
    machine: {
      cpus: cpus().length,
      cpu_model: cpus()[0]?.model ?? 'unknown',
      memory_gb: round(totalmem() / 2 ** 30, 1),
      node: process.version,
    },
    duration_s: round((Date.now() - started) / 1000, 1),
    scenarios: Object.fromEntries(ran.map((name) => [name, scenarios[name]]).filter(([, figures]) => figures)),
  };
  const problems = shapeProblems(results.scenarios, ran);
  if (problems.length > 0) throw new Error(`the results break the JSON contract:\n${problems.join('\n')}`);
  await mkdir(dirname(resolve(options.out)), { recursive: true });
  await writeFile(options.out, JSON.stringify(results, null, 2) + '\n');
  console.log(markdownTable(results));
  log(`wrote ${options.out}`);
}

/** The scenarios that need the database and the server, those `want` names, in the full run's order. */
async function platformScenarios(
  env: Record<string, string>,
  scale: Scale,
  quick: boolean,
  want: (name: string) => boolean,
): Promise<Record<string, object>> {
  const out: Record<string, object> = {};
  let rawIngest: RawIngest | undefined;
  let raw: { report: number; page: number } | undefined;
  let seedMs = 0;
  if (want('ingest') || want('report')) {
    log('seeding and raw baselines…');
    const direct = await openDirect(env, WIDE_STREAMS); // a connection per raw ingest stream
    try {
      if (want('ingest')) rawIngest = await rawIngestBaseline(direct.query, scale.ingestSeconds);
      if (want('report')) {
        seedMs = await seedHistory(direct.query, scale.breakers, scale.events);
        raw = await rawReportBaselines(direct.query, scale.samples);
      }
    } finally {
      await direct.close();
    }
  }

  let floor = 0;
  if (want('ingest')) {
    log('ingest floor (bare Apollo, no platform)…');
    const floorServer = await startFloorServer();
    try {
      floor = await graphqlFloor(floorServer.url, scale.ingestSeconds);
    } finally {
      await floorServer.stop();
    }
  }

  const server = await startServer(env);
  try {
    await new Promise((r) => setTimeout(r, 1000));
    const rssIdle = await server.rssMb();
    if (want('report')) {
      log('report…');
      const seeded = { breakers: scale.breakers, events: scale.events, seedMs };
      out.report = await reportScenario(server.url, seeded, raw!, scale.samples);
    }
    if (want('ingest')) {
      log('ingest…');
      out.ingest = await ingestScenario(server.url, rawIngest!, floor, scale.ingestSeconds);
    }
    // The memory figures are the server's RSS idle and with the fan-out's subscribers attached.
    if (want('fanout') || want('memory')) {
      log(want('fanout') ? 'fanout…' : 'fanout (for the memory figures)…');
      const fanout = await fanoutScenario(server, scale.subscribers, scale.transitions);
      if (want('fanout')) out.fanout = fanout.result;
      if (want('memory')) {
        out.memory = {
          rss_mb_idle: round(rssIdle, 1),
          rss_mb_fanout: round(fanout.rssMb, 1),
          subscribers: scale.subscribers,
        };
      }
    }
    if (want('sdk')) {
      log('sdk…');
      out.sdk = await sdkScenario(server.url, quick);
    }
    if (want('dashboard')) {
      log('dashboard (headless Chromium)…');
      out.dashboard = await dashboardScenario(server.url, scale.breakers, quick);
    }
    return out;
  } finally {
    await server.stop();
  }
}

function log(message: string): void {
  console.error(`[bench] ${message}`);
}

main().catch((error: unknown) => {
  if (error instanceof UsageError) {
    console.error(`bench: ${error.message}`);
    process.exit(2);
  }
  console.error(error);
  process.exit(1);
});
