import { BreakerEntity } from './breaker.entity';
import { BreakerRecord } from './engine';

/** A persisted breaker: its identity, the engine record, and the row version it was read at. */
export interface StoredBreaker {
  readonly id: number;
  readonly name: string;
  readonly version: number;
  readonly record: BreakerRecord;
}

/** Maps a `breakers` row (with its metrics joined) to the engine's plain data. */
export function toStoredBreaker(row: BreakerEntity): StoredBreaker {
  const m = row.metrics;
  return {
    id: row.id,
    name: row.name,
    version: row.version,
    record: {
      config: {
        failureThreshold: row.failureThreshold,
        openTimeoutMs: row.openTimeoutMs,
        maxOpenTimeoutMs: row.maxOpenTimeoutMs,
        halfOpenMaxCalls: row.halfOpenMaxCalls,
        successThreshold: row.successThreshold,
      },
      snapshot: {
        state: row.state,
        consecutiveFailures: row.consecutiveFailures,
        halfOpenSuccesses: row.halfOpenSuccesses,
        permitExpiries: row.permitExpiries,
        currentOpenTimeoutMs: row.currentOpenTimeoutMs,
        openUntil: ms(row.openUntil),
        outageStartedAt: ms(row.outageStartedAt),
        stateChangedAt: row.stateChangedAt.getTime(),
        lastEventAt: ms(row.lastEventAt),
      },
      metrics: {
        totalCalls: m.totalCalls,
        totalFailures: m.totalFailures,
        recoveryAttempts: m.recoveryAttempts,
        successfulRecoveries: m.successfulRecoveries,
        failedRecoveries: m.failedRecoveries,
        consecutiveFailedRecoveries: m.consecutiveFailedRecoveries,
        totalRecoveryTimeMs: m.totalRecoveryTimeMs,
        closedEpisodesOpenMs: m.closedEpisodesOpenMs,
        awaySince: ms(m.awaySince),
        lastFailureAt: ms(m.lastFailureAt),
        lastRecoveryAt: ms(m.lastRecoveryAt),
      },
    },
  };
}

function ms(date: Date | null): number | null {
  return date === null ? null : date.getTime();
}
