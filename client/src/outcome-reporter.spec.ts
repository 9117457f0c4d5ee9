import { PlatformRequestError } from './graphql-http';
import { OutcomeReporter, ReportedOutcome } from './outcome-reporter';

const outcome = (n: number): ReportedOutcome => ({
  breakerName: 'b',
  success: n % 2 === 0,
  occurredAt: new Date(1_700_000_000_000 + n).toISOString(),
  durationMs: n,
});

/** What the fake platform was sent, each try of each batch. */
interface Sent {
  readonly batchId: string;
  readonly outcomes: readonly ReportedOutcome[];
}

function recording(fail: (attempt: number, sent: Sent) => Error | null = () => null) {
  const tries: Sent[] = [];
  const committed = new Map<string, readonly ReportedOutcome[]>();
  const send = async (batchId: string, outcomes: readonly ReportedOutcome[]) => {
    const sent = { batchId, outcomes: [...outcomes] };
    tries.push(sent);
    const error = fail(tries.length, sent);
    if (error) throw error;
    if (!committed.has(batchId)) committed.set(batchId, sent.outcomes);
  };
  return { send, tries, committed };
}

const durations = (batches: Iterable<readonly ReportedOutcome[]>) => [...batches].flat().map((o) => o.durationMs);
const range = (n: number) => Array.from({ length: n }, (_, i) => i);

describe('OutcomeReporter', () => {
  let reporter: OutcomeReporter | null = null;
  afterEach(async () => {
    await reporter?.close(100);
    reporter = null;
  });

  it('sends what was added, in order, in batches of at most maxBatchSize, on close', async () => {
    const platform = recording();
    reporter = new OutcomeReporter({ send: platform.send, flushIntervalMs: 60_000, maxBatchSize: 400 });
    for (const n of range(1000)) reporter.add(outcome(n));
    expect(await reporter.close()).toBe(0);
    expect(platform.tries.map((t) => t.outcomes.length)).toEqual([400, 400, 200]);
    expect(durations(platform.committed.values())).toEqual(range(1000));
    expect(reporter.stats()).toEqual({
      buffered: 0,
      dropped: 0,
      rejected: 0,
      delivered: 1000,
      flushes: 3,
      lastFlushAt: expect.any(Number),
    });
  });

  it('sends within the flush interval without being asked', async () => {
    const platform = recording();
    reporter = new OutcomeReporter({ send: platform.send, flushIntervalMs: 20 });
    reporter.add(outcome(1));
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(durations(platform.committed.values())).toEqual([1]);
  });

  it('retries a failed batch with the same id and the same outcomes until it is acknowledged', async () => {
    // Try 1 gets no answer; try 2 commits, but its answer is lost; try 3 finds the batch committed.
    const tries: Sent[] = [];
    const committed = new Map<string, readonly ReportedOutcome[]>();
    const send = async (batchId: string, outcomes: readonly ReportedOutcome[]) => {
      tries.push({ batchId, outcomes: [...outcomes] });
      if (tries.length === 1) throw new PlatformRequestError('reset', 'NETWORK');
      if (!committed.has(batchId)) committed.set(batchId, [...outcomes]);
      if (tries.length === 2) throw new PlatformRequestError('answer lost after commit', 'NETWORK');
    };
    const errors: string[] = [];
    reporter = new OutcomeReporter({
      send,
      flushIntervalMs: 60_000,
      minRetryDelayMs: 5,
      onError: (e) => errors.push(e.message),
    });
    for (const n of range(10)) reporter.add(outcome(n));
    expect(await reporter.flush()).toBe(0);
    expect(tries.map((t) => t.batchId)).toEqual(Array(3).fill(tries[0].batchId));
    expect(tries.map((t) => durations([t.outcomes]))).toEqual(Array(3).fill(range(10)));
    expect(durations(committed.values())).toEqual(range(10));
    expect(errors).toEqual(['reset', 'answer lost after commit']);
    expect(reporter.stats()).toMatchObject({ delivered: 10, flushes: 1, buffered: 0 });
  });

  it('waits as long as the platform asks before retrying', async () => {
    const at: number[] = [];
    const platform = recording((attempt) => {
      at.push(Date.now());
      return attempt === 1 ? new PlatformRequestError('busy', 'SERVICE_UNAVAILABLE', 300) : null;
    });
    reporter = new OutcomeReporter({ send: platform.send, flushIntervalMs: 60_000, minRetryDelayMs: 1 });
    reporter.add(outcome(1));
    expect(await reporter.flush()).toBe(0);
    expect(at).toHaveLength(2);
    expect(at[1] - at[0]).toBeGreaterThanOrEqual(290);
  });

  it('counts a batch the platform refused for good as rejected, and goes on with the next', async () => {
    const platform = recording((attempt) =>
      attempt === 1 ? new PlatformRequestError('unknown breaker', 'NOT_FOUND') : null,
    );
    reporter = new OutcomeReporter({ send: platform.send, flushIntervalMs: 60_000, maxBatchSize: 3 });
    for (const n of range(5)) reporter.add(outcome(n));
    expect(await reporter.flush()).toBe(0);
    expect(platform.tries).toHaveLength(2);
    expect(durations(platform.committed.values())).toEqual([3, 4]);
    expect(reporter.stats()).toMatchObject({ rejected: 3, delivered: 2, buffered: 0 });
  });

  it('keeps at most maxBufferedOutcomes waiting, dropping the oldest and counting them', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const platform = recording();
    const send = async (batchId: string, outcomes: readonly ReportedOutcome[]) => {
      await gate;
      await platform.send(batchId, outcomes);
    };
    reporter = new OutcomeReporter({ send, flushIntervalMs: 60_000, maxBatchSize: 10, maxBufferedOutcomes: 100 });
    // The first 10 go in flight at once and wait on the gate; of the 990 after, the newest 100 stay.
    for (const n of range(1000)) reporter.add(outcome(n));
    expect(reporter.stats()).toMatchObject({ buffered: 110, dropped: 890 });
    release();
    expect(await reporter.flush()).toBe(0);
    expect(durations(platform.committed.values())).toEqual([...range(10), ...range(100).map((n) => 900 + n)]);
  });

  it('answers what is left unsent when close times out, and takes nothing after', async () => {
    reporter = new OutcomeReporter({
      send: async () => {
        throw new PlatformRequestError('down', 'NETWORK');
      },
      flushIntervalMs: 60_000,
      minRetryDelayMs: 10,
    });
    for (const n of range(5)) reporter.add(outcome(n));
    expect(await reporter.close(100)).toBe(5);
    expect(() => reporter!.add(outcome(6))).toThrow('the reporter is closed');
  });

  it('flush() waits for what was added before it, not for a stream that never stops', async () => {
    const platform = recording();
    let r: OutcomeReporter | null = null;
    let n = 200;
    // Calls go on while the flush waits: every send finds more outcomes added meanwhile, so the
    // buffer is never empty; the 200 added before the flush do go, and the flush answers then.
    const send = async (batchId: string, outcomes: readonly ReportedOutcome[]) => {
      for (let i = 0; i < 10; i++) r?.add(outcome(n++));
      await new Promise((resolve) => setImmediate(resolve)); // as the network would
      await platform.send(batchId, outcomes);
    };
    reporter = r = new OutcomeReporter({ send, flushIntervalMs: 5, maxBatchSize: 50 });
    for (const i of range(200)) r.add(outcome(i));
    expect(await r.flush(1000)).toBe(0);
    expect(r.stats().delivered).toBeGreaterThanOrEqual(200);
    expect(r.stats().buffered).toBeGreaterThan(0);
    r = null;
  });

  it('refuses settings out of range', () => {
    const send = async () => undefined;
    expect(() => new OutcomeReporter({ send, flushIntervalMs: 0 })).toThrow(
      'flushIntervalMs must be a positive number, got 0',
    );
    expect(() => new OutcomeReporter({ send, maxBatchSize: 10_001 })).toThrow('maxBatchSize must be at most 10000');
    expect(() => new OutcomeReporter({ send, maxBufferedOutcomes: Number.NaN })).toThrow('maxBufferedOutcomes');
  });
});
