/** When each rule fires. All configurable; see `DEFAULT_THRESHOLDS`. */
export interface RecommendationThresholds {
  /** The window of the time-windowed rules (FLAPPING, THRESHOLD_TOO_LAX). */
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
};
