/** When each rule fires. All configurable; see `DEFAULT_THRESHOLDS`. */
export interface RecommendationThresholds {
  /** The window of the time-windowed rules (FLAPPING, THRESHOLD_TOO_LAX, SLOW_CALLS, USE_FAILURE_RATE). */
  readonly windowMs: number;
  readonly lowRecoveryRate: number;
  readonly longRecoveryTimeMs: number;
  readonly flappingOpenings: number;
  readonly repeatedFailedRecoveries: number;
  readonly stuckOpenTimeoutFactor: number;
  readonly stuckOpenMinMs: number;
  readonly forcedOpenMaxMs: number;
  readonly laxFailureRatio: number;
  readonly laxMinCalls: number;
  /** SLOW_CALLS: calls with a duration the window must hold before its percentiles are trusted. */
  readonly slowMinTimedCalls: number;
  /**
   * SLOW_CALLS without `slowCallDurationMs`: slow calls are "common" when p99 ≥ this × p50 (a tail
   * this long is not the dependency's normal spread) ...
   */
  readonly slowTailFactor: number;
  /** ... and p99 ≥ this, so that a fast dependency's microsecond jitter is not called slow. */
  readonly slowTailMinMs: number;
  /** USE_FAILURE_RATE: calls an hour (the window's calls scaled to one hour) below which it never fires. */
  readonly rateMinCallsPerHour: number;
  /** USE_FAILURE_RATE: the failure ratio (a minute's, or the whole window's) that should have tripped it. */
  readonly rateFailureRatio: number;
}

export const DEFAULT_THRESHOLDS: RecommendationThresholds = {
  windowMs: 3_600_000,
  lowRecoveryRate: 0.5,
  longRecoveryTimeMs: 60_000,
  flappingOpenings: 5,
  repeatedFailedRecoveries: 3,
  stuckOpenTimeoutFactor: 10,
  stuckOpenMinMs: 600_000,
  forcedOpenMaxMs: 3_600_000,
  laxFailureRatio: 0.5,
  laxMinCalls: 100,
  slowMinTimedCalls: 100,
  slowTailFactor: 5,
  slowTailMinMs: 100,
  rateMinCallsPerHour: 1000,
  rateFailureRatio: 0.5,
};
