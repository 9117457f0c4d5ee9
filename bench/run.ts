import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { cpus, totalmem } from 'node:os';
import { createBenchDatabase } from './lib/bench-db';
import { startFloorServer, startServer } from './lib/server';
import { round } from './lib/stats';
import { openDirect } from './scenarios/direct-db';
import { engineScenario } from './scenarios/engine.bench';
import { fanoutScenario } from './scenarios/fanout.bench';
import { graphqlFloor, ingestScenario, RawIngest, rawIngestBaseline, WIDE_STREAMS } from './scenarios/ingest.bench';
import { rawReportBaselines, reportScenario, seedHistory } from './scenarios/report.bench';
import { shapeProblems } from './results-shape';
import { markdownTable } from './table';

interface Options {
  readonly quick: boolean;
  readonly out: string;
}

function parseArgs(argv: readonly string[]): Options {
  let quick = false;
  let out = 'bench/results/latest.json';
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--quick') quick = true;
    else if (argv[i] === '--out' && argv[i + 1]) out = argv[++i];
    else throw new Error(`unknown argument "${argv[i]}"; use --quick and --out FILE`);
  }
  return { quick, out };
}

/** `npm run bench [-- --quick] [-- --out FILE]`: every scenario, JSON to FILE and a markdown table to stdout. */
async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  // The harness reads DATABASE_URL like the app does; it is a tool, not the app, so it reads it here.
  const db = await createBenchDatabase(process.env.DATABASE_URL);
  const scale = options.quick
    ? { breakers: 100, events: 50_000, ingestSeconds: 3, samples: 30, subscribers: 100, transitions: 10 }
    : { breakers: 1000, events: 1_000_000, ingestSeconds: 15, samples: 200, subscribers: 1000, transitions: 40 };
  const started = Date.now();
  try {
    log(`database: ${db.description}; scale: ${options.quick ? 'quick' : 'full'}`);
    log('engine…');
    const engine = await engineScenario(options.quick);

    log('seeding and raw baselines…');
    const direct = await openDirect(db.env, WIDE_STREAMS); // a connection per raw ingest stream
    let rawIngest: RawIngest, raw: { report: number; page: number }, seedMs: number;
    try {
      rawIngest = await rawIngestBaseline(direct.query, scale.ingestSeconds);
      seedMs = await seedHistory(direct.query, scale.breakers, scale.events);
      raw = await rawReportBaselines(direct.query, scale.samples);
    } finally {
      await direct.close();
    }

    log('ingest floor (bare Apollo, no platform)…');
    const floorServer = await startFloorServer();
    let floor: number;
    try {
      floor = await graphqlFloor(floorServer.url, scale.ingestSeconds);
    } finally {
      await floorServer.stop();
    }

    const server = await startServer(db.env);
    try {
      await new Promise((r) => setTimeout(r, 1000));
      const rssIdle = await server.rssMb();
      log('report…');
      const report = await reportScenario(
        server.url,
        { breakers: scale.breakers, events: scale.events, seedMs },
        raw,
        scale.samples,
      );
      log('ingest…');
      const ingest = await ingestScenario(server.url, rawIngest, floor, scale.ingestSeconds);
      log('fanout…');
      const fanout = await fanoutScenario(server, scale.subscribers, scale.transitions);
      const results = {
        generated_at: new Date().toISOString(),
        mode: options.quick ? 'quick' : 'full',
        database: db.kind,
        machine: {
          cpus: cpus().length,
          cpu_model: cpus()[0]?.model ?? 'unknown',
          memory_gb: round(totalmem() / 2 ** 30, 1),
          node: process.version,
        },
        duration_s: round((Date.now() - started) / 1000, 1),
        scenarios: {
          engine,
          ingest,
          report,
          fanout: fanout.result,
          memory: {
            rss_mb_idle: round(rssIdle, 1),
            rss_mb_fanout: round(fanout.rssMb, 1),
            subscribers: scale.subscribers,
          },
        },
      };
      await mkdir(dirname(resolve(options.out)), { recursive: true });
      const problems = shapeProblems(results.scenarios);
      if (problems.length > 0) throw new Error(`the results break the JSON contract:\n${problems.join('\n')}`);
      await writeFile(options.out, JSON.stringify(results, null, 2) + '\n');
      console.log(markdownTable(results));
      log(`wrote ${options.out}`);
    } finally {
      await server.stop();
    }
  } finally {
    await db.drop();
  }
}

function log(message: string): void {
  console.error(`[bench] ${message}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
