import { BreakerState } from '../breakers/engine';
import { HealthStatus, worse } from './health-status';

/** What grading needs of a breaker. */
export interface GradingInput {
  readonly state: BreakerState;
  readonly successfulRecoveries: number;
  readonly failedRecoveries: number;
  readonly totalRecoveryTimeMs: number;
}

export interface Grade {
  readonly status: HealthStatus;
  readonly recoveryRate: number;
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

/** Grades one breaker from its state and recovery figures. */
export function grade(input: GradingInput): Grade {
  const rate = recoveryRate(input.successfulRecoveries, input.failedRecoveries);
  return {
    status: worse(statusForRate(rate), stateCap(input.state)),
    recoveryRate: rate,
    averageDowntimeMs: input.successfulRecoveries === 0 ? 0 : input.totalRecoveryTimeMs / input.successfulRecoveries,
  };
}

/** The worst status of any breaker; HEALTHY when there are none. */
export function overallHealth(statuses: Iterable<HealthStatus>): HealthStatus {
  let overall = HealthStatus.HEALTHY;
  for (const status of statuses) overall = worse(overall, status);
  return overall;
}
