import { Page } from 'playwright-core';
import { RunningApp } from '../src/bootstrap';
import { StatsFolder } from '../src/stats/stats-folder';
import { signIn, useBrowser, useDashboardBuild, waitForQuiet } from './support/browser';
import { createTestDatabase, TestDatabase } from './support/test-database';
import { eventually, gqlOk, startTestApp, TEST_ADMIN_KEY, useTestApp } from './support/test-app';

jest.setTimeout(60_000);

const createKey = async (app: RunningApp, name: string, role: string): Promise<string> =>
  (await gqlOk(app, `mutation($n: String!, $r: Role!) { createApiKey(name: $n, role: $r) { key } }`, { n: name, r: role }))
    .createApiKey.key;

const register = (app: RunningApp, name: string, config: Record<string, unknown> = {}) =>
  gqlOk(app, `mutation($i: RegisterBreakerInput!) { registerBreaker(input: $i) { name } }`, { i: { name, config } });

const fail = (app: RunningApp, breakerName: string) =>
  gqlOk(app, `mutation($n: String!) { recordOutcome(input: { breakerName: $n, success: false }) { state } }`, {
    n: breakerName,
  });

const tile = (page: Page, name: string) => page.locator(`[data-breaker="${name}"]`);

/** The dashboard in a real browser against a real server: sign-in, live tiles, admin actions, the breaker view. */
describe('the dashboard (e2e, Chromium)', () => {
  const build = useDashboardBuild();
  const fixture = useTestApp({ env: { ...build.env, RATE_LIMIT_PER_MINUTE: '100000' } });
  const browser = useBrowser();

  afterEach(() => {
    // No console error, exception or failed request in any test (those that expect one take it out).
    expect(browser.trouble.splice(0)).toEqual([]);
  });

  it('serves the page at / and at a breaker address, offline: every request goes to the app', async () => {
    const page = await browser.page();
    const hosts = new Set<string>();
    page.on('request', (request) => hosts.add(new URL(request.url()).host));
    const response = await page.goto(`${fixture.app.url}/breakers/anything`);
    expect(response?.status()).toBe(200);
    expect(response?.headers()['content-security-policy']).toContain("connect-src 'self'");
    await page.getByLabel('API key').waitFor();
    // And once signed in, on every page.
    await signIn(page, fixture.app.url, TEST_ADMIN_KEY);
    await page.locator('[data-overall-health]').waitFor();
    for (const path of ['/recommendations', '/breakers/anything']) {
      await waitForQuiet(page);
      await page.goto(fixture.app.url + path);
      await page.locator('main#main').waitFor();
    }
    await waitForQuiet(page);
    expect([...hosts]).toEqual([new URL(fixture.app.url).host]);
  });

  it('signs in with a good key, and says so clearly for a wrong one', async () => {
    const page = await browser.page();
    await page.goto(fixture.app.url);
    await page.getByLabel('API key').fill('brk_not-a-real-key-000000000000');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toContain('That API key was not accepted');
    // The one error the browser logs is the refused request's 401 itself.
    expect(browser.trouble.splice(0)).toEqual([expect.stringContaining('401 (Unauthorized)')]);

    await page.getByLabel('API key').fill(TEST_ADMIN_KEY);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('[data-overall-health]').waitFor();
    await expect(page.locator('.who').textContent()).resolves.toContain('ADMIN');
    // The key is kept for the tab: a reload (once the fleet has loaded) stays signed in.
    await waitForQuiet(page);
    await page.reload();
    await page.locator('[data-overall-health]').waitFor();
    expect(await page.getByLabel('API key').count()).toBe(0);
  });

  it('shows a transition driven through the API on its tile within 1 s, and announces it', async () => {
    await register(fixture.app, 'live.tile', { failureThreshold: 1 });
    const page = await browser.page();
    await signIn(page, fixture.app.url, TEST_ADMIN_KEY);
    await tile(page, 'live.tile').and(page.locator('[data-state="CLOSED"]')).waitFor();
    // The live feed is up once the page says so; a transition from then on must arrive.
    await page.locator('.live.on').waitFor();
    await fail(fixture.app, 'live.tile');
    const sent = Date.now();
    await page.locator('[data-breaker="live.tile"][data-state="OPEN"]').waitFor({ timeout: 1000 });
    expect(Date.now() - sent).toBeLessThan(1000);
    await expect(page.getByRole('status').first().textContent()).resolves.toContain('live.tile: Closed → Open');
    // Without a reload: the same page, the counts updated too.
    await expect(page.locator('[data-count-state="OPEN"] strong').textContent()).resolves.not.toBe('0');
  });

  it('runs an admin reset with a reason, recorded with that reason and the key name as actor', async () => {
    await register(fixture.app, 'admin.reset', { failureThreshold: 1 });
    await fail(fixture.app, 'admin.reset');
    const key = await createKey(fixture.app, 'ops-alice', 'ADMIN');
    const page = await browser.page();
    await signIn(page, fixture.app.url, key, '/breakers/admin.reset');
    await page.locator('[data-breaker-view="admin.reset"][data-state="OPEN"]').waitFor();
    await page.getByRole('button', { name: 'Reset', exact: true }).click();
    await page.getByLabel('Reason').fill('dependency fixed, INC-4711');
    await page.getByRole('button', { name: 'Confirm' }).click();
    await page.locator('[data-recorded-event="CIRCUIT_RESET"]').waitFor();
    await expect(page.locator('[data-recorded-event]').textContent()).resolves.toContain('INC-4711');
    await page.locator('[data-breaker-view="admin.reset"][data-state="CLOSED"]').waitFor();

    const { breakerEvents } = await gqlOk(
      fixture.app,
      `{ breakerEvents(breakerName: "admin.reset", first: 1) { edges { node { type info } } } }`,
    );
    expect(breakerEvents.edges[0].node).toEqual({
      type: 'CIRCUIT_RESET',
      info: expect.objectContaining({ reason: 'dependency fixed, INC-4711', actor: 'ops-alice' }),
    });
  });

  it('offers a VIEWER no admin action', async () => {
    await register(fixture.app, 'viewer.only');
    const key = await createKey(fixture.app, 'wall-screen', 'VIEWER');
    const page = await browser.page();
    await signIn(page, fixture.app.url, key, '/breakers/viewer.only');
    await page.locator('[data-breaker-view="viewer.only"]').waitFor();
    await page.getByRole('heading', { name: 'Events' }).waitFor();
    for (const name of ['Reset', 'Force open', 'Disable', 'Edit config', 'Apply']) {
      expect(await page.getByRole('button', { name, exact: true }).count()).toBe(0);
    }
    await expect(page.locator('.who').textContent()).resolves.toContain('VIEWER');
  });

  it("renders the breaker view's charts, timeline, figures and errors with data", async () => {
    await register(fixture.app, 'charted', { failureThreshold: 1000, openTimeoutMs: 100, maxOpenTimeoutMs: 100 });
    const now = Date.now();
    const outcomes = Array.from({ length: 300 }, (_, i) => ({
      breakerName: 'charted',
      success: i % 5 !== 0,
      durationMs: 10 + (i % 50),
      error: i % 5 === 0 ? `timeout after ${3000 + i}ms` : null,
      occurredAt: new Date(now - (i % 30) * 60_000).toISOString(),
    }));
    await gqlOk(fixture.app, `mutation($o: [OutcomeInput!]!) { recordOutcomes(outcomes: $o) { accepted } }`, {
      o: outcomes,
    });
    await fixture.app.app.get(StatsFolder).tick();
    // One outage and its recovery: CLOSED → OPEN → HALF_OPEN → CLOSED, for the timeline and the recovery chart.
    await gqlOk(fixture.app, `mutation { updateBreakerConfig(name: "charted", config: { failureThreshold: 1 }) { name } }`);
    await fail(fixture.app, 'charted');
    await eventually(async () =>
      (await gqlOk(fixture.app, `{ breaker(name: "charted") { state } }`)).breaker.state === 'HALF_OPEN' ? true : undefined,
    );
    await gqlOk(fixture.app, `mutation { recordOutcome(input: { breakerName: "charted", success: true }) { state } }`);

    const page = await browser.page();
    await signIn(page, fixture.app.url, TEST_ADMIN_KEY, '/breakers/charted');
    await page.locator('[data-breaker-view="charted"][data-state="CLOSED"]').waitFor();
    for (const [title, max] of [
      ['Calls and failures', 10], // 300 calls over 30 minutes: 10 a minute, and the last minute more
      ['Latency', 10], // p50 of the busiest minute's durations, at least the shortest one
    ] as const) {
      const chart = page.locator(`[data-chart="${title}"]:not([data-max="0"])`);
      await chart.locator('canvas').waitFor();
      expect(Number(await chart.getAttribute('data-max'))).toBeGreaterThanOrEqual(max);
    }
    const recovery = page.locator('[data-chart="Recovery time"]');
    await recovery.locator('canvas').waitFor();
    expect(Number(await recovery.getAttribute('data-points'))).toBe(1);
    await page.getByRole('cell', { name: 'timeout after #ms' }).waitFor();
    await page.locator('.numbers dd', { hasText: /^302$/ }).first().waitFor(); // totalCalls
    expect(Number(await page.getByRole('img', { name: 'State timeline' }).getAttribute('data-spans'))).toBeGreaterThanOrEqual(3);
    await page.locator('[data-event-type="RECOVERY_SUCCEEDED"]').waitFor();
  });

  it('edits the config, and applies a recommendation listed in the recommendations view, each with a reason', async () => {
    // More than half of 200 calls failed, never 1,000 in a row: THRESHOLD_TOO_LAX suggests halving the threshold.
    await register(fixture.app, 'advised', { failureThreshold: 1000 });
    const outcomes = Array.from({ length: 200 }, (_, i) => ({ breakerName: 'advised', success: i % 5 < 2 }));
    await gqlOk(fixture.app, `mutation($o: [OutcomeInput!]!) { recordOutcomes(outcomes: $o) { accepted } }`, {
      o: outcomes,
    });
    await gqlOk(fixture.app, `mutation { recomputeHealth { generatedAt } }`);
    const config = async () =>
      (await gqlOk(fixture.app, `{ breaker(name: "advised") { config { failureThreshold openTimeoutMs } } }`)).breaker
        .config;

    const page = await browser.page();
    await signIn(page, fixture.app.url, TEST_ADMIN_KEY, '/recommendations');
    const advice = page.locator('[data-recommendation="THRESHOLD_TOO_LAX"]', { hasText: 'advised' });
    await advice.waitFor();
    await advice.getByRole('link', { name: 'advised' }).click();
    await page.locator('[data-breaker-view="advised"]').waitFor();

    await page.getByRole('button', { name: 'Edit config' }).click();
    await page.getByLabel('Open timeout (ms)', { exact: true }).fill('45000');
    await page.getByRole('button', { name: 'Review change' }).click();
    await page.getByLabel('Reason').fill('slower dependency');
    await page.getByRole('button', { name: 'Confirm' }).click();
    await page.locator('[data-recorded-event="CONFIG_CHANGED"]').waitFor();
    expect(await config()).toEqual({ failureThreshold: 1000, openTimeoutMs: 45000 });

    await page.getByRole('button', { name: 'Apply' }).click();
    await page.getByLabel('Reason').fill('as the report advises');
    await page.getByRole('button', { name: 'Confirm' }).click();
    await page.locator('[data-recorded-event="CONFIG_CHANGED"]', { hasText: 'as the report advises' }).waitFor();
    expect(await config()).toEqual({ failureThreshold: 500, openTimeoutMs: 45000 });
  });

  it('works from the keyboard, with a visible focus, and reads at 200 % zoom without sideways scrolling', async () => {
    await register(fixture.app, 'keyboard.a');
    const page = await browser.page();
    await signIn(page, fixture.app.url, TEST_ADMIN_KEY);
    await page.getByLabel('Filter').fill('keyboard.a');
    await page.locator('.shown', { hasText: /^1 of/ }).waitFor();
    // Tab from the filter to the tile's link, then open it with Enter.
    let onTile = false;
    for (let i = 0; i < 10 && !onTile; i++) {
      await page.keyboard.press('Tab');
      onTile = await page.evaluate('document.activeElement?.closest("[data-breaker]")?.getAttribute("data-breaker") === "keyboard.a"');
    }
    expect(onTile).toBe(true);
    expect(await page.evaluate('getComputedStyle(document.activeElement).outlineStyle')).not.toBe('none');
    await page.keyboard.press('Enter');
    await page.locator('[data-breaker-view="keyboard.a"]').waitFor();
    await waitForQuiet(page); // leaving mid-request would abort it

    // 200 % zoom of a 1280 px window: 640 CSS pixels wide.
    await page.setViewportSize({ width: 640, height: 450 });
    for (const path of ['/breakers/keyboard.a', '/', '/recommendations']) {
      await page.goto(fixture.app.url + path);
      await page.locator('main#main').waitFor();
      await waitForQuiet(page);
      expect(await page.evaluate('document.documentElement.scrollWidth <= window.innerWidth')).toBe(true);
    }
  });

  it('sorts trouble first, filters by state, and prepends live events; Force open and Disable work from their buttons', async () => {
    await register(fixture.app, 'sort.a-quiet');
    await register(fixture.app, 'sort.z-open', { failureThreshold: 1, openTimeoutMs: 600_000, maxOpenTimeoutMs: 600_000 });
    await fail(fixture.app, 'sort.z-open');
    const page = await browser.page();
    await signIn(page, fixture.app.url, TEST_ADMIN_KEY);
    await page.getByLabel('Filter').fill('sort.');
    await page.locator('.shown', { hasText: /^2 of/ }).waitFor();
    const order = () => page.locator('[data-breaker]').evaluateAll((tiles) => tiles.map((t) => t.getAttribute('data-breaker')));
    expect(await order()).toEqual(['sort.z-open', 'sort.a-quiet']); // trouble first
    await page.getByLabel('Sort').selectOption('name');
    expect(await order()).toEqual(['sort.a-quiet', 'sort.z-open']);
    await page.getByLabel('State').selectOption('CLOSED');
    expect(await order()).toEqual(['sort.a-quiet']);
    // The OPEN tile counts down to its half-open.
    await page.getByLabel('State').selectOption('OPEN');
    await expect(page.locator('[data-breaker="sort.z-open"] .countdown').textContent()).resolves.toMatch(/^half-opens in \d+ min/);

    await waitForQuiet(page);
    await page.goto(`${fixture.app.url}/breakers/sort.a-quiet`);
    await page.locator('[data-breaker-view="sort.a-quiet"]').waitFor();
    await waitForQuiet(page);
    // An event made elsewhere arrives at the top of the log, live.
    await gqlOk(fixture.app, `mutation { updateBreakerConfig(name: "sort.a-quiet", config: { failureThreshold: 9 }, reason: "from elsewhere") { name } }`);
    await page.locator('.events li').first().filter({ hasText: 'from elsewhere' }).waitFor({ timeout: 1000 });
    for (const [button, state, type] of [
      ['Force open', 'FORCED_OPEN', 'CIRCUIT_FORCED_OPEN'],
      ['Disable', 'DISABLED', 'CIRCUIT_DISABLED'],
    ]) {
      await page.getByRole('button', { name: button, exact: true }).click();
      await page.getByLabel('Reason').fill(`${button} for the test`);
      await page.getByRole('button', { name: 'Confirm' }).click();
      await page.locator(`[data-recorded-event="${type}"]`).waitFor();
      await page.locator(`[data-breaker-view="sort.a-quiet"][data-state="${state}"]`).waitFor();
    }
  });

  it('shows 1,000 breakers', async () => {
    for (let from = 0; from < 1000; from += 100) {
      const fields = Array.from(
        { length: 100 },
        (_, i) => `b${i}: registerBreaker(input: { name: "fleet.${String(from + i).padStart(4, '0')}" }) { name }`,
      );
      await gqlOk(fixture.app, `mutation { ${fields.join('\n')} }`);
    }
    const page = await browser.page();
    await signIn(page, fixture.app.url, TEST_ADMIN_KEY);
    await page.getByLabel('Filter').fill('fleet.');
    await page.locator('.shown', { hasText: /^1000 of \d+ shown$/ }).waitFor();
    expect(await page.locator('[data-breaker^="fleet."]').count()).toBe(1000);
    await page.getByLabel('Filter').fill('fleet.0999');
    await page.locator('.shown', { hasText: '1 of' }).waitFor();
    expect(await page.locator('[data-breaker]').count()).toBe(1);
  });
});

describe('the dashboard across a server restart (e2e, Chromium)', () => {
  const build = useDashboardBuild();
  const browser = useBrowser();
  let db: TestDatabase;
  let app: RunningApp;

  beforeAll(async () => {
    db = await createTestDatabase();
    app = await startTestApp(db, { env: build.env });
  });
  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  it('reconnects by itself, and reads again what happened while it was away', async () => {
    await register(app, 'restart.a', { failureThreshold: 1 });
    await register(app, 'restart.b', { failureThreshold: 1 });
    const page = await browser.page();
    // The test decides when the page may reconnect: while `away`, its socket is refused.
    let away = false;
    await page.routeWebSocket(/\/graphql$/, (ws) => {
      if (away) ws.close({ code: 1013, reason: 'held down by the test' });
      else ws.connectToServer();
    });
    await signIn(page, app.url, TEST_ADMIN_KEY);
    await page.locator('.live.on').waitFor();
    await tile(page, 'restart.a').and(page.locator('[data-state="CLOSED"]')).waitFor();

    const port = new URL(app.url).port;
    away = true;
    await app.close();
    await page.locator('.live.off').waitFor();
    app = await startTestApp(db, { env: { ...build.env, PORT: port } });
    // While the page cannot hear it: only the re-read on reconnecting can show it.
    await fail(app, 'restart.a');
    await page.waitForTimeout(500);
    expect(await tile(page, 'restart.a').getAttribute('data-state')).toBe('CLOSED');
    away = false;
    await page.locator('.live.on').waitFor({ timeout: 15_000 });
    await tile(page, 'restart.a').and(page.locator('[data-state="OPEN"]')).waitFor({ timeout: 5000 });
    await fail(app, 'restart.b'); // and live again after it
    await tile(page, 'restart.b').and(page.locator('[data-state="OPEN"]')).waitFor({ timeout: 1000 });
    // The reconnection attempts that failed while the server was down are the only trouble.
    expect(browser.trouble.splice(0).every((t) => /WebSocket connection to .* failed/.test(t))).toBe(true);
  });
});
