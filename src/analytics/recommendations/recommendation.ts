import { BreakerConfig, BreakerState, DEFAULT_CONFIG } from '../../breakers/engine';

export enum RecommendationKind {
  LOW_RECOVERY_RATE = 'LOW_RECOVERY_RATE',
  LONG_RECOVERY_TIME = 'LONG_RECOVERY_TIME',
  FLAPPING = 'FLAPPING',
  REPEATED_FAILED_RECOVERIES = 'REPEATED_FAILED_RECOVERIES',
  STUCK_OPEN = 'STUCK_OPEN',
  THRESHOLD_TOO_LAX = 'THRESHOLD_TOO_LAX',
  SLOW_CALLS = 'SLOW_CALLS',
  USE_FAILURE_RATE = 'USE_FAILURE_RATE',
}

export enum Severity {
  INFO = 'INFO',
  WARNING = 'WARNING',
  CRITICAL = 'CRITICAL',
}

/** Advice about one breaker: what, how bad, on what evidence, and the setting to change where there is one. */
export interface Recommendation {
  readonly breakerName: string;
  readonly kind: RecommendationKind;
  readonly severity: Severity;
  readonly message: string;
  readonly suggestedConfig: Partial<BreakerConfig> | null;
  readonly evidence: Readonly<Record<string, number | string | null>>;
}

/** Everything the rules look at for one breaker, gathered by one set-based query. Times are epoch ms. */
export interface BreakerFacts {
  readonly name: string;
  readonly state: BreakerState;
  readonly config: BreakerConfig;
  readonly stateChangedAt: number;
  /** When the breaker last left CLOSED/DISABLED; null while CLOSED or DISABLED. */
  readonly awaySince: number | null;
  readonly successfulRecoveries: number;
  readonly failedRecoveries: number;
  readonly consecutiveFailedRecoveries: number;
  readonly averageRecoveryTimeMs: number;
  /** 75th percentile of the recovery times still in the event history; null without any. */
  readonly p75RecoveryTimeMs: number | null;
  /** In the recent window (`windowMs`, an hour by default): */
  readonly openingsFromClosed: number;
  readonly leftClosed: number;
  readonly windowCalls: number;
  readonly windowFailures: number;
  /** Calls counted slow when they were written (against the slowCallDurationMs of that moment). */
  readonly windowSlowCalls: number;
  /** Calls that carried a duration: the count of the window's merged latency histogram. */
  readonly windowTimedCalls: number;
  /** Nearest-rank percentiles of the merged histogram (bucket midpoints, never above the max); null without timed calls. */
  readonly p50Ms: number | null;
  readonly p99Ms: number | null;
  readonly windowMaxMs: number | null;
  /** Minutes of the window with at least one call. */
  readonly activeMinutes: number;
  /** Median calls of those minutes; null without any. */
  readonly medianMinuteCalls: number | null;
  /** Median failures/calls of those minutes (a ratio, 0–1); null without any. */
  readonly medianMinuteFailureRatio: number | null;
  /** Highest failures/calls of a minute with at least `BUSY_MINUTE_CALLS` calls; null without such a minute. */
  readonly maxMinuteFailureRatio: number | null;
}

/**
 * A minute counts towards `maxMinuteFailureRatio` from this many calls: the default `minimumCalls`,
 * so a minute qualifies when a FAILURE_RATE breaker with the default settings could have tripped in it,
 * and a minute of 1 failure in 2 calls is not taken for an outage.
 */
export const BUSY_MINUTE_CALLS: number = DEFAULT_CONFIG.minimumCalls;

// The thresholds are settings: config/ owns them, and the rules read them from there.
export { DEFAULT_THRESHOLDS } from '../../config/recommendation-thresholds';
export type { RecommendationThresholds } from '../../config/recommendation-thresholds';
import type { RecommendationThresholds } from '../../config/recommendation-thresholds';

/** One rule: the recommendation it makes for a breaker, or null. Pure. */
export type RecommendationRule = (
  facts: BreakerFacts,
  thresholds: RecommendationThresholds,
  now: number,
) => Recommendation | null;
