import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock } from '../common/clock';
import { AppError } from '../common/errors/app-error';
import {
  BreakerActivityArgs,
  BreakerErrorsArgs,
  BreakerStatsArgs,
  DEFAULT_ACTIVITY_STEP_MS,
  DEFAULT_ERRORS,
  MAX_ACTIVITY_POINTS,
  MAX_ACTIVITY_RANGE_MS,
  MAX_POINTS,
  STEP_UNIT_MS,
} from './dto/stats.args';
import { fromJson, quantile } from './latency-histogram';
import { BreakerActivity } from './models/breaker-activity.model';
import { ErrorCount } from './models/error-count.model';
import { StatsPoint } from './models/stats-point.model';
import { HOUR_MS } from './outcome-stats';
import { StatsQueryStore, StepRow } from './stats-query.store';

/** Reads a breaker's statistics: counts and latency per step, and its most frequent errors. */
@Injectable()
export class StatsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly store: StatsQueryStore,
    private readonly clock: Clock,
  ) {}

  /**
   * One point per `stepMs` (aligned to multiples of it since the epoch) from the one holding
   * `since` to the one holding the last moment before `until`, every one present, with zero
   * counts and null rates and percentiles where nothing was reported. More than MAX_POINTS:
   * BAD_USER_INPUT. Unknown breaker: NOT_FOUND.
   */
  async breakerStats(args: BreakerStatsArgs): Promise<StatsPoint[]> {
    const step = args.stepMs ?? STEP_UNIT_MS;
    const { first, count } = this.steps(args, step, MAX_POINTS);
    const manager = this.dataSource.manager;
    const id = await this.requireBreaker(args.breakerName);
    const rows = await this.store.steps(manager, id, first, first + count * step, step);
    const byIndex = new Map(rows.map((r) => [r.index, r]));
    return Array.from({ length: count }, (_, i) => toPoint(first + i * step, byIndex.get(i)));
  }

  /**
   * Every breaker's calls and failures per step over the same kind of range as breakerStats, at
   * most MAX_ACTIVITY_POINTS steps and MAX_ACTIVITY_RANGE_MS; breakers with no outcome in it are
   * left out, so the answer holds at most one series per breaker (MAX_BREAKERS). `prefix` limits
   * it to a scoped key's breakers.
   */
  async breakerActivity(args: BreakerActivityArgs, prefix: string | null): Promise<BreakerActivity[]> {
    const step = args.stepMs ?? DEFAULT_ACTIVITY_STEP_MS;
    const { first, count } = this.steps(args, step, MAX_ACTIVITY_POINTS);
    // Every breaker's minutes are read: the range, steps included, is kept to a week of them.
    if (count * step > MAX_ACTIVITY_RANGE_MS) {
      throw AppError.badInput(
        'since',
        `breakerActivity covers at most ${MAX_ACTIVITY_RANGE_MS / 86_400_000} days of whole steps: use a shorter range or a smaller stepMs`,
      );
    }
    const rows = await this.store.activity(this.dataSource.manager, first, first + count * step, step, prefix);
    const series: BreakerActivity[] = [];
    for (const row of rows) {
      let last = series[series.length - 1];
      if (last?.breakerName !== row.breakerName) {
        last = { breakerName: row.breakerName, calls: new Array(count).fill(0), failures: new Array(count).fill(0) };
        series.push(last);
      }
      last.calls[row.index] = row.calls;
      last.failures[row.index] = row.failures;
    }
    return series;
  }

  /**
   * The steps of `step` from the one holding `since` (default: an hour before `until`) to the one
   * holding the last moment before `until` (default: now). More than `max`: BAD_USER_INPUT.
   */
  private steps(
    args: { since?: Date | null; until?: Date | null },
    step: number,
    max: number,
  ): { first: number; count: number } {
    const until = args.until?.getTime() ?? this.clock.now();
    const since = args.since?.getTime() ?? until - HOUR_MS;
    if (!(since < until)) throw AppError.badInput('since', 'since must be before until');
    const first = Math.floor(since / step) * step;
    // The step holding a since near the earliest date can start before it.
    if (Number.isNaN(new Date(first).getTime())) throw AppError.badInput('since', 'since is too far in the past');
    const count = Math.ceil((until - first) / step);
    if (count > max) {
      throw AppError.badInput(
        'stepMs',
        `from since to until at this stepMs is ${count} points, and at most ${max} are returned: use a larger stepMs or a shorter range`,
      );
    }
    return { first, count };
  }

  /**
   * The breaker's most frequent normalised error messages over the hours from the one holding
   * `since` (default: an hour ago) on, summed across those hours. Unknown breaker: NOT_FOUND.
   */
  async breakerErrors(args: BreakerErrorsArgs): Promise<ErrorCount[]> {
    const since = args.since?.getTime() ?? this.clock.now() - HOUR_MS;
    const id = await this.requireBreaker(args.breakerName);
    return this.store.errors(
      this.dataSource.manager,
      id,
      Math.floor(since / HOUR_MS) * HOUR_MS,
      args.first ?? DEFAULT_ERRORS,
    );
  }

  private async requireBreaker(name: string): Promise<number> {
    const id = await this.store.breakerId(this.dataSource.manager, name);
    if (id === null) throw AppError.notFound(`unknown breaker: "${name}"`);
    return id;
  }
}

function toPoint(at: number, row: StepRow | undefined): StatsPoint {
  if (row === undefined || row.calls === 0) {
    return {
      at: new Date(at),
      calls: 0,
      failures: 0,
      slowCalls: 0,
      failureRate: null,
      p50Ms: null,
      p90Ms: null,
      p99Ms: null,
      maxMs: null,
    };
  }
  const histogram = fromJson(row.latency ?? {});
  return {
    at: new Date(at),
    calls: row.calls,
    failures: row.failures,
    slowCalls: row.slowCalls,
    failureRate: (row.failures / row.calls) * 100,
    p50Ms: quantile(histogram, 0.5, row.maxMs),
    p90Ms: quantile(histogram, 0.9, row.maxMs),
    p99Ms: quantile(histogram, 0.99, row.maxMs),
    maxMs: row.maxMs,
  };
}
