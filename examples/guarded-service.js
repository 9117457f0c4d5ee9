'use strict';
/**
 * A service guarding a flaky dependency with the platform's client.
 *
 *   npm ci && npm start                                   # one terminal: the platform
 *   BREAKER_API_KEY=$(cat data/admin-key) node examples/guarded-service.js
 *
 * The dependency is healthy, then down for a few seconds, then healthy again. The breaker trips
 * on the platform after 5 failures in a row (for every instance using it; the calls made while the
 * failures are on their way, within about 100 ms, still go ahead), refuses calls while
 * OPEN without calling the dependency, lets one trial through once the 3 s open period is over,
 * and closes when it succeeds. Every call's outcome is reported, exactly once.
 *
 * Settings: PLATFORM_URL (default http://localhost:3000/graphql), BREAKER_API_KEY (a REPORTER or
 * ADMIN key), BREAKER_NAME (default example-dependency), RUN_SECONDS (default 20).
 */
const { join } = require('node:path');
// Inside this repository, the package's build; a service of its own requires '@breaker-platform/client'.
const { connect, closeOnSignals, BreakerOpenError } = require(join(__dirname, '../client/dist/client/src/index.js'));

const url = process.env.PLATFORM_URL ?? 'http://localhost:3000/graphql';
const apiKey = process.env.BREAKER_API_KEY;
const name = process.env.BREAKER_NAME ?? 'example-dependency';
const runSeconds = Number(process.env.RUN_SECONDS ?? 20);

/** The flaky dependency: down from the 4th to the 9th second after the breaker is ready. */
let startedAt = Date.now();
function dependencyIsDown() {
  const s = (Date.now() - startedAt) / 1000;
  return s >= 4 && s < 9;
}
async function callDependency() {
  await new Promise((resolve) => setTimeout(resolve, 5));
  if (dependencyIsDown()) throw new Error('ECONNREFUSED dependency:443');
  return 'ok';
}

const seconds = () => ((Date.now() - startedAt) / 1000).toFixed(1).padStart(5);

async function main() {
  if (!apiKey) {
    console.error('Set BREAKER_API_KEY to a REPORTER or ADMIN key, e.g. BREAKER_API_KEY=$(cat data/admin-key)');
    process.exit(2);
  }
  const platform = await connect({ url, apiKey });
  closeOnSignals(platform);
  platform.on('localMode', ({ local }) =>
    console.log(`${seconds()}s  ${local ? 'platform out of reach: deciding locally (fail-static)' : 'platform back'}`),
  );
  const breaker = await platform.breaker(name, { config: { failureThreshold: 5, openTimeoutMs: 3000 } });
  breaker.on('stateChange', ({ from, to, local }) =>
    console.log(`${seconds()}s  ${from} -> ${to}${local ? ' (local)' : ''}`),
  );
  startedAt = Date.now();
  console.log(`${seconds()}s  guarding "${name}", state ${breaker.state}; the dependency fails from 4 s to 9 s`);

  const tally = { ok: 0, failed: 0, refused: 0 };
  const report = setInterval(() => {
    console.log(
      `${seconds()}s  ${breaker.state.padEnd(9)} ok ${tally.ok}, failed ${tally.failed}, refused ${tally.refused}`,
    );
  }, 1000);
  while (Date.now() - startedAt < runSeconds * 1000) {
    try {
      await breaker.execute(callDependency);
      tally.ok++;
    } catch (error) {
      if (error instanceof BreakerOpenError) tally.refused++;
      else tally.failed++;
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  clearInterval(report);
  const unsent = await platform.close();
  const { breaker: seen } = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` },
    body: JSON.stringify({ query: `query($n: String!) { breaker(name: $n) { state metrics { totalCalls } } }`, variables: { n: name } }),
  }).then(async (response) => (await response.json()).data);
  console.log(
    `done: ${tally.ok + tally.failed} calls made (${tally.refused} refused without calling), ${unsent} unsent; ` +
      `the platform counts ${seen.metrics.totalCalls} calls in all for "${name}", state ${seen.state}`,
  );
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
