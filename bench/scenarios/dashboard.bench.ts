import { chromium, Page } from 'playwright-core';
import { gql } from '../lib/server';
import { median, quantile, round } from '../lib/stats';

export interface DashboardResult {
  breakers: number;
  /** From navigation (key already in the tab) to every tile in the DOM and a frame painted: the median of the rounds. */
  first_render_ms_1000: number;
  first_render_max_ms: number;
  /** The same page for a key that sees no breaker: what the page, the bundle and the sign-in cost alone. */
  empty_render_ms: number;
  /** first_render_ms_1000 ÷ empty_render_ms: what the thousand tiles add, as a ratio of the same run. */
  render_ratio_vs_empty: number;
  render_rounds: number;
  /** Transitions driven through the API at transitions_per_s, each from its request to the frame after its tile changed. */
  transitions: number;
  transitions_per_s: number;
  transition_to_paint_p50_ms: number;
  transition_to_paint_p99_ms: number;
  transitions_missed: number;
  /** The longest a 50 ms timer in the page ran late during the transitions: how responsive the page stayed. */
  page_lag_max_ms: number;
}

type LiveFigures = Pick<
  DashboardResult,
  | 'transitions'
  | 'transitions_per_s'
  | 'transition_to_paint_p50_ms'
  | 'transition_to_paint_p99_ms'
  | 'transitions_missed'
  | 'page_lag_max_ms'
>;

const PREFIX = 'dash.';
const HOLD_OPEN_MS = 86_400_000;
/** Each breaker driven goes round these states, one request each. */
const CYCLE = [
  { state: 'OPEN', mutation: `recordOutcome(input: { breakerName: $n, success: false }) { state }` },
  { state: 'CLOSED', mutation: `resetBreaker(name: $n) { state }` },
  { state: 'FORCED_OPEN', mutation: `forceOpenBreaker(name: $n) { state }` },
  { state: 'CLOSED', mutation: `resetBreaker(name: $n) { state }` },
];
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const RATE = 100;

/**
 * The dashboard in headless Chromium against the bench server: the first render of `count`
 * breakers, then transitions at 100/s arriving on the open page. A VIEWER key scoped to the
 * scenario's own breakers keeps the other scenarios' breakers off its page.
 */
export async function dashboardScenario(url: string, count: number, quick: boolean): Promise<DashboardResult> {
  const names = Array.from({ length: count }, (_, i) => `${PREFIX}${String(i).padStart(4, '0')}`);
  // One failure opens a breaker, and it stays OPEN until reset: the bench decides every state.
  const config = `{ failureThreshold: 1, openTimeoutMs: ${HOLD_OPEN_MS}, maxOpenTimeoutMs: ${HOLD_OPEN_MS} }`;
  for (let from = 0; from < count; from += 100) {
    const fields = names
      .slice(from, from + 100)
      .map((name, i) => `b${i}: registerBreaker(input: { name: "${name}", config: ${config} }) { name }`);
    await gql(url, `mutation { ${fields.join('\n')} }`);
  }
  // An hour of calls for every tile's figures and sparkline: one every five minutes.
  const now = Date.now();
  const outcomes = names.flatMap((breakerName) =>
    Array.from({ length: 12 }, (_, i) => ({
      breakerName,
      success: true,
      durationMs: 20 + i,
      occurredAt: new Date(now - (i * 5 + 1) * 60_000).toISOString(),
    })),
  );
  for (let i = 0; i < outcomes.length; i += 10_000) {
    await gql(url, `mutation($o: [OutcomeInput!]!) { recordOutcomes(outcomes: $o) { accepted } }`, {
      o: outcomes.slice(i, i + 10_000),
    });
  }
  const key = await createKey(url, 'bench-dashboard', PREFIX);
  const emptyKey = await createKey(url, 'bench-dashboard-empty', 'no-such-breaker.');

  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  try {
    const rounds = quick ? 3 : 7;
    const renders: number[] = [];
    const empties: number[] = [];
    for (let round = 0; round < rounds; round++) {
      empties.push(await timeFirstRender(browser, url, emptyKey, 0));
      renders.push(await timeFirstRender(browser, url, key, count));
    }
    const live = await transitionsToPaint(browser, url, key, names, quick ? 3 : 10);
    return {
      breakers: count,
      first_render_ms_1000: round(median(renders), 1),
      first_render_max_ms: round(Math.max(...renders), 1),
      empty_render_ms: round(median(empties), 1),
      render_ratio_vs_empty: round(median(renders) / median(empties), 2),
      render_rounds: rounds,
      ...live,
    };
  } finally {
    await browser.close();
  }
}

async function createKey(url: string, name: string, scope: string): Promise<string> {
  const data = await gql<{ createApiKey: { key: string } }>(
    url,
    `mutation($n: String!, $s: String) { createApiKey(name: $n, role: VIEWER, scope: $s) { key } }`,
    { n: name, s: scope },
  );
  return data.createApiKey.key;
}

type Browser = Awaited<ReturnType<typeof chromium.launch>>;

// The scripts below run in the page (as strings: this project compiles without the DOM's types).

/** True once every tile is in the DOM and the page counts them all as shown. */
function allTilesShown(n: number): string {
  return `document.querySelectorAll('[data-breaker]').length === ${n} &&
    (document.querySelector('.shown')?.textContent ?? '').startsWith('${n} of ${n}')`;
}

/** Resolves in the next animation frame: the one after what was rendered has been painted. */
const NEXT_FRAME = 'new Promise((resolve) => requestAnimationFrame(() => resolve(null)))';

/**
 * Stamps each tile's change of data-state in the frame after it (so once it was painted), into
 * window.__paints, and keeps in window.__lag the longest a 50 ms timer ran late.
 */
const WATCH_PAINTS = `(() => {
  const seen = [];
  window.__paints = seen;
  window.__lag = 0;
  new MutationObserver((mutations) => {
    const changed = mutations.map((m) => ({
      name: m.target.getAttribute('data-breaker') ?? '',
      state: m.target.getAttribute('data-state') ?? '',
    }));
    requestAnimationFrame(() => {
      const at = Date.now();
      for (const c of changed) seen.push({ ...c, at });
    });
  }).observe(document.querySelector('.tiles'), { attributes: true, attributeFilter: ['data-state'], subtree: true });
  let last = performance.now();
  setInterval(() => {
    const now = performance.now();
    window.__lag = Math.max(window.__lag, now - last - 50);
    last = now;
  }, 50);
})()`;

/** A page in a fresh context whose tab already holds the key, as after a sign-in. */
async function signedInPage(browser: Browser, key: string): Promise<Page> {
  // The page's CSP forbids eval, which Playwright's string scripts need: the bench's own probes only.
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, bypassCSP: true });
  await context.addInitScript(`sessionStorage.setItem('breaker-platform.api-key', ${JSON.stringify(key)})`);
  return context.newPage();
}

async function timeFirstRender(browser: Browser, url: string, key: string, count: number): Promise<number> {
  const page = await signedInPage(browser, key);
  try {
    const start = Date.now();
    await page.goto(url);
    await page.waitForFunction(allTilesShown(count), undefined, { polling: 'raf', timeout: 60_000 });
    await page.evaluate(NEXT_FRAME);
    return Date.now() - start;
  } finally {
    await page.context().close();
  }
}

async function transitionsToPaint(
  browser: Browser,
  url: string,
  key: string,
  names: string[],
  seconds: number,
): Promise<LiveFigures> {
  const page = await signedInPage(browser, key);
  try {
    await page.goto(url);
    await page.waitForFunction(allTilesShown(names.length), undefined, { timeout: 60_000 });
    await page.locator('.live.on').waitFor();
    await page.evaluate(WATCH_PAINTS);

    // Round robin over RATE breakers (so about one transition a second each), each going round
    // CYCLE: OPEN (whose countdown the page re-reads), CLOSED, FORCED_OPEN, CLOSED; paced at RATE per second.
    const driven = names.slice(0, RATE);
    const total = RATE * seconds;
    const sent = new Map<string, { state: string; at: number }[]>();
    const requests: Promise<unknown>[] = [];
    const start = Date.now();
    for (let i = 0; i < total; i++) {
      const due = start + (i * 1000) / RATE;
      const wait = due - Date.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      const name = driven[i % driven.length];
      const turns = sent.get(name) ?? [];
      const step = CYCLE[turns.length % CYCLE.length];
      turns.push({ state: step.state, at: Date.now() });
      sent.set(name, turns);
      requests.push(gql(url, `mutation($n: String!) { ${step.mutation} }`, { n: name }));
    }
    await Promise.all(requests);
    const elapsed = (Date.now() - start) / 1000;
    // Give the last ones time to arrive, then pair each breaker's sends with its paints in order.
    await page.waitForFunction(`window.__paints.length >= ${total}`, undefined, { timeout: 10_000 }).catch(() => undefined);
    const paints = (await page.evaluate('window.__paints')) as { name: string; state: string; at: number }[];
    const lag = (await page.evaluate('window.__lag')) as number;
    const byName = new Map<string, { state: string; at: number }[]>();
    for (const p of paints) byName.set(p.name, [...(byName.get(p.name) ?? []), p]);
    const delays: number[] = [];
    let missed = 0;
    for (const [name, turns] of sent) {
      const seen = byName.get(name) ?? [];
      turns.forEach((turn, i) => {
        const paint = seen[i];
        if (paint && paint.state === turn.state) delays.push(paint.at - turn.at);
        else missed++;
      });
    }
    return {
      transitions: total,
      transitions_per_s: round(total / elapsed, 1),
      transition_to_paint_p50_ms: round(quantile(delays, 0.5), 1),
      transition_to_paint_p99_ms: round(quantile(delays, 0.99), 1),
      transitions_missed: missed,
      page_lag_max_ms: round(lag, 1),
    };
  } finally {
    await page.context().close();
  }
}
