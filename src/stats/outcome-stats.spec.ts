import { countOf, quantile } from './latency-histogram';
import { errorMessages, HOUR_MS, MAX_MESSAGES_PER_HOUR, MINUTE_MS, OutcomeStats } from './outcome-stats';

const T = Date.UTC(2026, 0, 1, 10, 0, 0); // on an hour

describe('OutcomeStats', () => {
  it('counts calls, failures and slow calls per breaker and minute of occurredAt', () => {
    const stats = new OutcomeStats();
    stats.add(2, 'b', T + 1_000, true, 10, false, null);
    stats.add(1, 'a', T + 59_999, false, 20, true, null);
    stats.add(1, 'a', T + 60_000, true, 5, false, null);
    stats.add(1, 'a', T + 30_000, true, 30, true, null);
    stats.add(2, 'b', T - 1, false, null, false, null);

    const minutes = stats.minutes().map((m) => ({
      breakerId: m.breakerId,
      minuteStart: m.minuteStart,
      calls: m.calls,
      failures: m.failures,
      slowCalls: m.slowCalls,
      latencyCount: countOf(m.latency),
      maxMs: m.maxMs,
    }));
    expect(minutes).toEqual([
      { breakerId: 1, minuteStart: T, calls: 2, failures: 1, slowCalls: 2, latencyCount: 2, maxMs: 30 },
      { breakerId: 1, minuteStart: T + MINUTE_MS, calls: 1, failures: 0, slowCalls: 0, latencyCount: 1, maxMs: 5 },
      // Without a duration a call counts, with no latency and no max.
      { breakerId: 2, minuteStart: T - MINUTE_MS, calls: 1, failures: 1, slowCalls: 0, latencyCount: 0, maxMs: null },
      { breakerId: 2, minuteStart: T, calls: 1, failures: 0, slowCalls: 0, latencyCount: 1, maxMs: 10 },
    ]);
    expect(stats.size).toBe(5);
  });

  it('keeps each minute’s durations in its histogram, close to the true quantiles', () => {
    const stats = new OutcomeStats();
    for (let ms = 1; ms <= 1000; ms++) stats.add(1, 'a', T, true, ms, false, null);
    const [minute] = stats.minutes();
    expect(countOf(minute.latency)).toBe(1000);
    for (const [q, truth] of [
      [0.5, 500],
      [0.9, 900],
      [0.99, 990],
    ]) {
      expect(Math.abs(quantile(minute.latency, q, minute.maxMs)! - truth) / truth).toBeLessThan(0.05);
    }
    expect(minute.maxMs).toBe(1000);
  });

  it('counts normalised messages per breaker and hour, with when they were first and last seen', () => {
    const stats = new OutcomeStats();
    stats.add(1, 'a', T + 5_000, false, null, false, 'timeout after 3000ms on 10.0.0.1');
    stats.add(1, 'a', T + 1_000, false, null, false, 'timeout after 1500ms on 10.0.0.2');
    stats.add(1, 'a', T + 9_000, false, null, false, 'timeout after 3000ms on 10.0.0.1');
    stats.add(1, 'a', T + HOUR_MS, false, null, false, 'timeout after 1ms on 10.0.0.3');
    stats.add(2, 'b', T, false, null, false, 'refused');
    // Empty after normalisation: no message.
    stats.add(2, 'b', T, false, null, false, '   ');
    // A success may carry an error text too; it counts like any other.
    stats.add(2, 'b', T, true, null, false, 'refused');

    expect(stats.errors()).toEqual([
      {
        breakerId: 1,
        hourStart: T,
        message: 'timeout after #ms on #.#.#.#',
        count: 3,
        firstSeenAt: T + 1_000,
        lastSeenAt: T + 9_000,
      },
      {
        breakerId: 1,
        hourStart: T + HOUR_MS,
        message: 'timeout after #ms on #.#.#.#',
        count: 1,
        firstSeenAt: T + HOUR_MS,
        lastSeenAt: T + HOUR_MS,
      },
      { breakerId: 2, hourStart: T, message: 'refused', count: 2, firstSeenAt: T, lastSeenAt: T },
    ]);
  });

  it('keeps at most the 20 most frequent messages of a breaker-hour, ties to the most recent', () => {
    const stats = new OutcomeStats();
    // Message k (0..29) comes k+1 times.
    for (let k = 0; k < 30; k++) {
      for (let n = 0; n <= k; n++) stats.add(1, 'a', T + k, false, null, false, `error ${'z'.repeat(k + 1)}`);
    }
    const kept = stats.errors();
    expect(kept).toHaveLength(MAX_MESSAGES_PER_HOUR);
    expect(kept.map((e) => e.count)).toEqual(Array.from({ length: 20 }, (_, i) => 30 - i));

    const ties = new OutcomeStats();
    for (let k = 0; k < 25; k++) ties.add(1, 'a', T + k * 1000, false, null, false, `error x${'y'.repeat(k)}`);
    const tied = ties.errors();
    expect(tied).toHaveLength(20);
    // All once each: the 20 seen last are kept, newest first.
    expect(tied.map((e) => e.lastSeenAt)).toEqual(Array.from({ length: 20 }, (_, i) => T + (24 - i) * 1000));
  });

  it('normalises each distinct error text once per batch', () => {
    const normalised: string[] = [];
    const stats = new OutcomeStats([], (text) => {
      normalised.push(text);
      return text.replace(/[0-9]+/g, '#');
    });
    const texts = ['a 1', 'b 2', 'a 3'];
    for (let i = 0; i < 3000; i++) stats.add(1, 'a', T, false, null, false, texts[i % 3]);
    expect(normalised).toEqual(texts);
    expect(stats.errors().map((e) => [e.message, e.count])).toEqual([
      ['a #', 2000],
      ['b #', 1000],
    ]);
  });

  it('normalises errors ahead, in order, to the messages add would count', () => {
    const texts = [
      'timeout after 3000ms',
      'timeout after 3000ms',
      null,
      undefined,
      'HTTP 503',
      '  ',
      'timeout after 12ms',
    ];
    const messages = errorMessages(texts);
    expect(messages).toEqual(['timeout after #ms', 'timeout after #ms', null, null, 'HTTP #', '', 'timeout after #ms']);
    const ahead = new OutcomeStats();
    const asGiven = new OutcomeStats();
    texts.forEach((text, i) => {
      ahead.addMessage(1, 'a', T + i, false, null, false, messages[i]);
      asGiven.add(1, 'a', T + i, false, null, false, text ?? null);
    });
    expect(ahead.errors()).toEqual(asGiven.errors());
    expect(ahead.errors().map((e) => [e.message, e.count])).toEqual([
      ['timeout after #ms', 3],
      ['HTTP #', 1],
    ]);
  });

  it('adds up per-breaker totals for Prometheus, with durations in coarse le-buckets', () => {
    const stats = new OutcomeStats([10, 100]);
    stats.add(7, 'x', T, true, 10, false, null); // ≤ 10
    stats.add(7, 'x', T + HOUR_MS, false, 10.5, true, null); // ≤ 100, another minute: still one total
    stats.add(7, 'x', T, true, 500, true, null); // above every bound
    stats.add(7, 'x', T, true, null, false, null); // no duration
    stats.add(8, 'y', T, true, 0, false, null);
    expect(stats.totals()).toEqual([
      {
        breakerId: 7,
        breakerName: 'x',
        calls: 4,
        failures: 1,
        slowCalls: 2,
        durationCounts: [1, 1, 1],
        durationSumMs: 520.5,
      },
      {
        breakerId: 8,
        breakerName: 'y',
        calls: 1,
        failures: 0,
        slowCalls: 0,
        durationCounts: [1, 0, 0],
        durationSumMs: 0,
      },
    ]);
  });
});
