'use strict';
/**
 * One service process using the client package from its build (client/dist), driven by the test
 * over IPC: `fork()` it, send commands, read the replies and the events it forwards.
 *
 * Commands ({ id, cmd, ... }), each answered with { id, ok, value } or { id, ok: false, error }:
 * - connect { url, apiKey, breaker, config, staleAfterMs }
 * - run { calls, fail }: that many calls in a row, each failing or not; answers the counts
 * - load { perSecond }: calls at about that pace (one in `failEvery` failing, if given) until `stop`
 * - stop: ends the load; answers the counts
 * - state: the breaker's state, and whether it is local
 * - close { timeoutMs }: flushes and disconnects; answers the unsent count and the stats
 * Events ({ event, ... }): stateChange { from, to, local, at: ms }, localMode { local }.
 * On SIGTERM it flushes (closeOnSignals), sends { event: 'closed', unsent, counts } and exits.
 */
const { join } = require('node:path');
const { connect, closeOnSignals, BreakerOpenError } = require(join(__dirname, '../../client/dist/client/src/index.js'));

let platform = null;
let breaker = null;
const counts = { executed: 0, failed: 0, refused: 0 };
let loading = null;

const dependency = (fail) => (fail ? Promise.reject(new Error('dependency down')) : Promise.resolve('ok'));

async function call(fail) {
  try {
    await breaker.execute(() => dependency(fail));
    counts.executed++;
  } catch (error) {
    if (error instanceof BreakerOpenError) counts.refused++;
    else {
      counts.executed++;
      counts.failed++;
    }
  }
}

const commands = {
  async connect({ url, apiKey, breaker: name, config, staleAfterMs }) {
    platform = await connect({ url, apiKey, flushIntervalMs: 50, staleAfterMs });
    platform.on('localMode', ({ local }) => process.send({ event: 'localMode', local }));
    breaker = await platform.breaker(name, config ? { config } : {});
    breaker.on('stateChange', ({ from, to, local }) =>
      process.send({ event: 'stateChange', from, to, local, at: Date.now() }),
    );
    // Registered first, so it runs first: a service stops taking calls, then closeOnSignals flushes.
    process.once('SIGTERM', () => loading?.());
    closeOnSignals(platform, {
      timeoutMs: 20_000,
      onClosed: (unsent) => new Promise((resolve) => process.send({ event: 'closed', unsent, counts }, resolve)),
    });
    return breaker.state;
  },
  async run({ calls, fail }) {
    for (let i = 0; i < calls; i++) await call(fail);
    return { ...counts, settledAt: Date.now() };
  },
  async load({ perSecond, failEvery }) {
    let n = 0;
    let stopped = false;
    const tickMs = 10;
    const perTick = Math.max(1, Math.round((perSecond * tickMs) / 1000));
    const timer = setInterval(() => {
      for (let i = 0; i < perTick; i++) void call(failEvery ? ++n % failEvery === 0 : false);
    }, tickMs);
    loading = () => {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
    };
    return 'started';
  },
  async stop() {
    loading?.();
    // The calls already started settle within a tick: they are all immediate.
    await new Promise((resolve) => setTimeout(resolve, 50));
    return { ...counts };
  },
  async state() {
    return { state: breaker.state, local: breaker.isLocal, stats: platform.stats() };
  },
  async close({ timeoutMs }) {
    loading?.();
    const unsent = await platform.close(timeoutMs);
    return { unsent, stats: platform.stats(), counts };
  },
};

process.on('message', async (message) => {
  const { id, cmd, ...args } = message;
  try {
    const value = await commands[cmd](args);
    process.send({ id, ok: true, value });
  } catch (error) {
    process.send({ id, ok: false, error: error instanceof Error ? error.stack || error.message : String(error) });
  }
});
