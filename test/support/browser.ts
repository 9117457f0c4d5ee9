import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Browser, chromium, ConsoleMessage, Page, Request } from 'playwright-core';
import { buildDashboard } from '../../scripts/build-dashboard';

/** Debian's Chromium (`apt-get install chromium`); .ci/run installs it where it is missing. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * A dashboard build of the sources as they are now, for one test file: call at the top of the
 * describe block, before useTestApp, whose app is then started with `env` (DASHBOARD_DIR).
 */
export function useDashboardBuild(): { env: Record<string, string> } {
  const dir = mkdtempSync(join(tmpdir(), 'dashboard-test-'));
  beforeAll(() => buildDashboard(dir), 60_000);
  return { env: { DASHBOARD_DIR: dir } };
}

/** What went wrong in a page: console errors, uncaught exceptions, and requests that failed outright. */
export interface PageTrouble {
  readonly errors: string[];
}

export interface BrowserFixture {
  readonly browser: Browser;
  /** A fresh page (its own context, so its own sessionStorage), watched for trouble. */
  page(): Promise<Page>;
  /** Everything the pages opened so far reported; tests assert it is empty, or only what they expect. */
  readonly trouble: string[];
}

/** One headless Chromium for the describe block; every page it opens is watched for trouble. */
export function useBrowser(): BrowserFixture {
  let browser: Browser | undefined;
  const trouble: string[] = [];
  const pages: Page[] = [];
  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  }, 60_000);
  // Closing a page aborts what it still had in flight: the test's teardown, not the page's trouble.
  let closing = false;
  afterEach(async () => {
    closing = true;
    await Promise.all(pages.splice(0).map((p) => p.context().close()));
    closing = false;
  });
  afterAll(async () => {
    await browser?.close();
  });
  return {
    get browser() {
      if (!browser) throw new Error('useBrowser: the browser is not started yet');
      return browser;
    },
    async page() {
      const context = await this.browser.newContext({ viewport: { width: 1280, height: 900 } });
      const page = await context.newPage();
      trackRequests(page);
      page.on('console', (message: ConsoleMessage) => {
        if (message.type() === 'error') trouble.push(`console: ${message.text()}`);
      });
      page.on('pageerror', (error) => trouble.push(`exception: ${error.message}`));
      page.on('requestfailed', (request) => {
        if (closing) return;
        trouble.push(`request failed: ${request.method()} ${request.url()} ${request.failure()?.errorText ?? ''}`);
      });
      pages.push(page);
      return page;
    },
    trouble,
  };
}

/** Each watched page's HTTP requests in flight (WebSockets are not requests). */
const inFlight = new WeakMap<Page, { requests: Set<Request>; lastChange: number }>();

function trackRequests(page: Page): void {
  const state = { requests: new Set<Request>(), lastChange: Date.now() };
  inFlight.set(page, state);
  const end = (request: Request) => {
    state.requests.delete(request);
    state.lastChange = Date.now();
  };
  page.on('request', (request) => {
    state.requests.add(request);
    state.lastChange = Date.now();
  });
  page.on('requestfinished', end);
  page.on('requestfailed', end);
}

/**
 * Waits until a watched page has had no HTTP request in flight for `quietMs`. Unlike Playwright's
 * 'networkidle', which is reached once per load, it also waits for what a single-page navigation
 * started: leaving the page while a request is in flight would abort it (a failed request).
 */
export async function waitForQuiet(page: Page, quietMs = 300, timeoutMs = 10_000): Promise<void> {
  const state = inFlight.get(page);
  if (!state) throw new Error('waitForQuiet: the page was not opened by useBrowser');
  const deadline = Date.now() + timeoutMs;
  while (state.requests.size > 0 || Date.now() - state.lastChange < quietMs) {
    if (Date.now() > deadline) {
      throw new Error(`the page still had ${state.requests.size} requests in flight after ${timeoutMs} ms`);
    }
    await page.waitForTimeout(50);
  }
}

/** Opens the dashboard and signs in with `key` through the prompt, as a person would. */
export async function signIn(page: Page, baseUrl: string, key: string, path = '/'): Promise<void> {
  await page.goto(baseUrl + path);
  await page.getByLabel('API key').fill(key);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.locator('main#main').waitFor();
}
