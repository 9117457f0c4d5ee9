import { Logger } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { bucketOf, bucketValue } from '../stats/latency-histogram';
import { FactsStore } from './facts.store';

const NOW = 1_700_000_000_000;

/** One breaker's row of the facts statement. */
const FACTS_ROW = {
  id: 7,
  name: 'payments',
  state: 'CLOSED',
  failure_threshold: 5,
  open_timeout_ms: 30_000,
  max_open_timeout_ms: 60_000,
  half_open_max_calls: 1,
  success_threshold: 1,
  trip_on: 'CONSECUTIVE_FAILURES',
  window_ms: 60_000,
  window_buckets: 10,
  minimum_calls: 20,
  failure_rate_threshold: 50,
  slow_call_duration_ms: null,
  slow_call_rate_threshold: 100,
  permit_timeout_ms: 30_000,
  state_changed_at: new Date(NOW - 3_600_000),
  away_since: null,
  successful_recoveries: 0,
  failed_recoveries: 0,
  consecutive_failed_recoveries: 0,
  total_recovery_time_ms: 0,
  window_successful_recoveries: 0,
  window_failed_recoveries: 0,
  recovery_histogram: {} as Record<string, number>,
  openings_from_closed: 0,
  left_closed: 0,
  window_calls: 500,
  window_failures: 5,
  window_slow_calls: 0,
  window_max_ms: 900,
  active_minutes: 10,
  median_minute_calls: 50,
  median_minute_failure_ratio: 0.01,
  max_minute_failure_ratio: 0.02,
  previous_status: null,
};

/**
 * A transaction's manager whose runner answers the facts statement with FACTS_ROW and the latency
 * statement with `latency` (or its error), and records every statement.
 */
function manager(latency: () => unknown[]): { manager: EntityManager; statements: string[] } {
  const statements: string[] = [];
  const queryRunner = {
    query: async (sql: string) => {
      statements.push(sql.trim().split(/\s+/).slice(0, 3).join(' '));
      if (sql.includes('jsonb_each_text')) return { records: latency() };
      if (sql.includes('FROM breakers b')) return { records: [FACTS_ROW] };
      return { records: [] };
    },
  };
  return { manager: { queryRunner } as unknown as EntityManager, statements };
}

function cancelled(code: string): Error {
  return Object.assign(new Error('canceling statement due to statement timeout'), { code, severity: 'ERROR' });
}

describe('FactsStore.loadAll', () => {
  const store = new FactsStore();
  let warn: jest.SpyInstance;

  beforeEach(() => {
    warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
  });
  afterEach(() => warn.mockRestore());

  it('reads the percentiles as their bucket values, capped at the window max, in a released savepoint', async () => {
    const fast = bucketOf(40);
    const slow = bucketOf(950); // its midpoint is above the 900 ms max
    const { manager: m, statements } = manager(() => [
      { breaker_id: 7, timed_calls: 480, p50_index: fast, p99_index: slow },
    ]);
    const [facts] = await store.loadAll(m, NOW, 3_600_000, 86_400_000);
    expect(facts).toMatchObject({
      name: 'payments',
      windowCalls: 500,
      windowTimedCalls: 480,
      p50Ms: bucketValue(fast),
      p99Ms: 900,
      windowMaxMs: 900,
      activeMinutes: 10,
      medianMinuteCalls: 50,
      medianMinuteFailureRatio: 0.01,
      maxMinuteFailureRatio: 0.02,
    });
    expect(bucketValue(slow)).toBeGreaterThan(900);
    expect(statements).toEqual([
      'WITH recent AS',
      'SAVEPOINT latency_facts',
      'WITH latency AS',
      'RELEASE SAVEPOINT latency_facts',
    ]);
    expect(warn).not.toHaveBeenCalled();
  });

  it('has no percentiles for a breaker without timed calls', async () => {
    const [facts] = await store.loadAll(manager(() => []).manager, NOW, 3_600_000, 86_400_000);
    expect(facts).toMatchObject({ windowCalls: 500, windowTimedCalls: 0, p50Ms: null, p99Ms: null });
  });

  it('goes on without percentiles when Postgres cancels the latency statement, and says so', async () => {
    const { manager: m, statements } = manager(() => {
      throw cancelled('57014');
    });
    const [facts] = await store.loadAll(m, NOW, 3_600_000, 86_400_000);
    expect(facts).toMatchObject({ windowCalls: 500, windowFailures: 5, windowTimedCalls: 0, p50Ms: null, p99Ms: null });
    expect(statements).toEqual([
      'WITH recent AS',
      'SAVEPOINT latency_facts',
      'WITH latency AS',
      'ROLLBACK TO SAVEPOINT',
    ]);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0][0]).toContain('latency percentiles skipped');
  });

  it('lets any other failure of the latency statement through', async () => {
    const { manager: m, statements } = manager(() => {
      throw cancelled('42P01');
    });
    await expect(store.loadAll(m, NOW, 3_600_000, 86_400_000)).rejects.toThrow('canceling statement');
    expect(statements).not.toContain('ROLLBACK TO SAVEPOINT');
    expect(warn).not.toHaveBeenCalled();
  });
});

describe('FactsStore: recovery times', () => {
  it("reads the p75 of the breaker's recovery times from its histogram, and null without any", async () => {
    const store = new FactsStore();
    const times = [1000, 2000, 3000, 40_000]; // nearest rank: the 3rd of 4
    const histogram: Record<string, number> = {};
    for (const ms of times) histogram[bucketOf(ms)] = (histogram[bucketOf(ms)] ?? 0) + 1;
    const row = { ...FACTS_ROW, recovery_histogram: histogram };
    const runner = { query: async (sql: string) => ({ records: sql.includes('FROM breakers b') ? [row] : [] }) };
    const [facts] = await store.loadAll({ queryRunner: runner } as unknown as EntityManager, NOW, 3_600_000, 86_400_000);
    expect(facts.p75RecoveryTimeMs).toBe(bucketValue(bucketOf(3000)));
    expect(Math.abs(facts.p75RecoveryTimeMs! - 3000) / 3000).toBeLessThanOrEqual(1 / 64);
    const [none] = await store.loadAll(manager(() => []).manager, NOW, 3_600_000, 86_400_000);
    expect(none.p75RecoveryTimeMs).toBeNull();
  });
});
