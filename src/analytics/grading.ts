import { BreakerState } from '../breakers/engine';
import { HealthStatus, worse } from './health-status';

/** What grading needs of a breaker. */
export interface GradingInput {
  readonly state: BreakerState;
  /** Over its whole life (recovery_metrics). */
  readonly successfulRecoveries: number;
  readonly failedRecoveries: number;
  readonly totalRecoveryTimeMs: number;
  /** Concluded within the health window (HEALTH_WINDOW_MS before now): what the status rests on. */
  readonly windowSuccessfulRecoveries: number;
  readonly windowFailedRecoveries: number;
}

export interface Grade {
  readonly status: HealthStatus;
  /** Over the recoveries concluded in the health window. */
  readonly recoveryRate: number;
  /** Over every recovery concluded since the breaker was registered. */
  readonly lifetimeRecoveryRate: number;
  readonly averageDowntimeMs: number;
}

/** Successful over concluded recoveries; 1.0 while none has concluded (one under way does not count). */
export function recoveryRate(successful: number, failed: number): number {
  const concluded = successful + failed;
  return concluded === 0 ? 1 : successful / concluded;
}

/** The seed's thresholds, inclusive: ≥ 0.9 HEALTHY, ≥ 0.7 DEGRADED, ≥ 0.5 UNHEALTHY, else CRITICAL. */
export function statusForRate(rate: number): HealthStatus {
  if (rate >= 0.9) return HealthStatus.HEALTHY;
  if (rate >= 0.7) return HealthStatus.DEGRADED;
  if (rate >= 0.5) return HealthStatus.UNHEALTHY;
  return HealthStatus.CRITICAL;
}

/** The best status the current state allows: an open breaker is never HEALTHY. */
export function stateCap(state: BreakerState): HealthStatus {
  switch (state) {
    case BreakerState.OPEN:
    case BreakerState.FORCED_OPEN:
      return HealthStatus.UNHEALTHY;
    case BreakerState.HALF_OPEN:
      return HealthStatus.DEGRADED;
    default:
      return HealthStatus.HEALTHY;
  }
}

/**
 * Grades one breaker from its state and the recoveries concluded in the health window, so that
 * bad recoveries stop counting once they are older than it; with none in the window the rate is
 * 1.0 and only the state caps the status.
 */
export function grade(input: GradingInput): Grade {
  const rate = recoveryRate(input.windowSuccessfulRecoveries, input.windowFailedRecoveries);
  return {
    status: worse(statusForRate(rate), stateCap(input.state)),
    recoveryRate: rate,
    lifetimeRecoveryRate: recoveryRate(input.successfulRecoveries, input.failedRecoveries),
    averageDowntimeMs: input.successfulRecoveries === 0 ? 0 : input.totalRecoveryTimeMs / input.successfulRecoveries,
  };
}

/** The worst status of any breaker; HEALTHY when there are none. */
export function overallHealth(statuses: Iterable<HealthStatus>): HealthStatus {
  let overall = HealthStatus.HEALTHY;
  for (const status of statuses) overall = worse(overall, status);
  return overall;
}

/** How many breakers have each status. */
export interface StatusCounts {
  healthy: number;
  degraded: number;
  unhealthy: number;
  critical: number;
}

export function statusCounts(statuses: Iterable<HealthStatus>): StatusCounts {
  const counts: StatusCounts = { healthy: 0, degraded: 0, unhealthy: 0, critical: 0 };
  for (const status of statuses) {
    if (status === HealthStatus.HEALTHY) counts.healthy++;
    else if (status === HealthStatus.DEGRADED) counts.degraded++;
    else if (status === HealthStatus.UNHEALTHY) counts.unhealthy++;
    else counts.critical++;
  }
  return counts;
}
