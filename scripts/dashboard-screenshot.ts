import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';
import { startApp } from '../src/bootstrap';
import { loadConfig } from '../src/config/app-config';
import { StatsFolder } from '../src/stats/stats-folder';
import { buildDashboard } from './build-dashboard';

const KEY = 'demo-admin-key-0123456789abcdef';
const MINUTE = 60_000;

/** A small demo fleet: most breakers healthy, a few in trouble, one forced open and one disabled for maintenance. */
const FLEET: { name: string; callsPerMinute: number; failureRate: number }[] = [
  { name: 'checkout.payments', callsPerMinute: 240, failureRate: 0.62 },
  { name: 'checkout.cart', callsPerMinute: 400, failureRate: 0.01 },
  { name: 'checkout.tax', callsPerMinute: 120, failureRate: 0.04 },
  { name: 'search.query', callsPerMinute: 900, failureRate: 0.02 },
  { name: 'search.suggest', callsPerMinute: 600, failureRate: 0.35 },
  { name: 'ledger.write', callsPerMinute: 80, failureRate: 0 },
  { name: 'ledger.read', callsPerMinute: 300, failureRate: 0.005 },
  { name: 'identity.tokens', callsPerMinute: 500, failureRate: 0.01 },
  { name: 'identity.profile', callsPerMinute: 150, failureRate: 0.02 },
  { name: 'shipping.rates', callsPerMinute: 60, failureRate: 0.12 },
  { name: 'shipping.labels', callsPerMinute: 30, failureRate: 0 },
  { name: 'notifications.email', callsPerMinute: 200, failureRate: 0.03 },
];

/**
 * Writes docs/dashboard.png (the fleet) and docs/dashboard-breaker.png (one breaker's view) from a
 * seeded demo on a throwaway embedded database, in headless Chromium (`/usr/bin/chromium`, or
 * CHROMIUM_PATH). Run with `npm run dashboard:screenshot`.
 */
async function main(): Promise<void> {
  const dataDir = await mkdtemp(join(tmpdir(), 'dashboard-demo-'));
  const dashboardDir = join(dataDir, 'dashboard');
  await buildDashboard(dashboardDir);
  const running = await startApp(
    loadConfig({
      PORT: '0',
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      DASHBOARD_DIR: dashboardDir,
      ADMIN_API_KEY: KEY,
      LOG_LEVEL: 'silent',
    }),
    { logger: false },
  );
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium' });
  try {
    await seed(running.url);
    // Histograms and error counts are folded every few seconds; fold them now.
    await running.app.get(StatsFolder).tick();
    const docs = resolve(__dirname, '..', '..', 'docs');
    const context = await browser.newContext({ viewport: { width: 1280, height: 760 }, deviceScaleFactor: 1 });
    await context.addInitScript(`sessionStorage.setItem('breaker-platform.api-key', ${JSON.stringify(KEY)})`);
    const page = await context.newPage();
    await page.goto(running.url);
    await page.locator(`[data-breaker="${FLEET[FLEET.length - 1].name}"]`).waitFor();
    await page.waitForLoadState('networkidle');
    await page.screenshot({ path: join(docs, 'dashboard.png') });
    await page.goto(`${running.url}/breakers/checkout.payments`);
    await page.locator('[data-chart="Latency"]:not([data-points="0"]) canvas').waitFor();
    await page.waitForLoadState('networkidle');
    await page.screenshot({ path: join(docs, 'dashboard-breaker.png'), fullPage: true });
    console.log(`wrote ${join(docs, 'dashboard.png')} and dashboard-breaker.png`);
  } finally {
    await browser.close();
    await running.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

async function gql(url: string, query: string, variables: Record<string, unknown> = {}): Promise<any> {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: unknown; errors?: unknown[] };
  if (body.errors?.length) throw new Error(JSON.stringify(body.errors));
  return body.data;
}

/** An hour of outcomes per breaker, then the states the demo shows, then a fresh report. */
async function seed(url: string): Promise<void> {
  const now = Date.now();
  for (const b of FLEET) {
    await gql(url, `mutation($i: RegisterBreakerInput!) { registerBreaker(input: $i) { name } }`, {
      i: { name: b.name, config: { tripOn: 'FAILURE_RATE', minimumCalls: 20, failureRateThreshold: 50 } },
    });
  }
  const outcomes: Record<string, unknown>[] = [];
  let n = 0;
  for (let minute = 59; minute >= 1; minute--) {
    for (const b of FLEET) {
      // A tenth of the real volume is enough to draw the same shapes.
      const calls = Math.max(1, Math.round(b.callsPerMinute / 10));
      // The troubled ones got worse over the last twenty minutes.
      const rate = minute > 20 ? b.failureRate / 4 : b.failureRate;
      for (let i = 0; i < calls; i++) {
        n++;
        const failed = (n * 7919) % 1000 < rate * 1000;
        outcomes.push({
          breakerName: b.name,
          success: !failed,
          durationMs: Math.round((20 + ((n * 37) % 80) + (failed ? 400 : 0)) * 10) / 10,
          error: failed ? `upstream timeout after ${2000 + (n % 900)}ms` : null,
          occurredAt: new Date(now - minute * MINUTE + (i * MINUTE) / calls).toISOString(),
        });
      }
    }
  }
  for (let i = 0; i < outcomes.length; i += 5000) {
    await gql(url, `mutation($o: [OutcomeInput!]!) { recordOutcomes(outcomes: $o) { accepted } }`, {
      o: outcomes.slice(i, i + 5000),
    });
  }
  // Only outcomes in the window (the last minute) trip a breaker: payments fails now, and opens.
  await gql(url, `mutation($o: [OutcomeInput!]!) { recordOutcomes(outcomes: $o) { accepted } }`, {
    o: Array.from({ length: 30 }, (_, i) => ({
      breakerName: 'checkout.payments',
      success: i % 3 === 0,
      durationMs: 2400,
      error: `upstream timeout after ${2400 + i}ms`,
    })),
  });
  await gql(url, `mutation { forceOpenBreaker(name: "shipping.rates", reason: "carrier API maintenance") { name } }`);
  await gql(url, `mutation { disableBreaker(name: "shipping.labels", reason: "migrating the label printer") { name } }`);
  await gql(url, `mutation { recomputeHealth { generatedAt } }`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
