import { averageRecoveryTimeMs, circuitOpenDurationMs, RecoveryMetricsState } from './engine';
import { RecoveryMetrics } from './recovery-metrics.model';

/** The GraphQL view of a breaker's metrics at `now` (the current open episode counts up to then). */
export function toMetricsView(breakerName: string, m: RecoveryMetricsState, now: number): RecoveryMetrics {
  return {
    breakerName,
    totalCalls: m.totalCalls,
    totalFailures: m.totalFailures,
    recoveryAttempts: m.recoveryAttempts,
    successfulRecoveries: m.successfulRecoveries,
    failedRecoveries: m.failedRecoveries,
    consecutiveFailedRecoveries: m.consecutiveFailedRecoveries,
    averageRecoveryTimeMs: averageRecoveryTimeMs(m),
    circuitOpenDurationMs: circuitOpenDurationMs(m, now),
    lastFailureAt: date(m.lastFailureAt),
    lastRecoveryAt: date(m.lastRecoveryAt),
  };
}

function date(ms: number | null): Date | null {
  return ms === null ? null : new Date(ms);
}
