import { toMetricsView } from './recovery-metrics.view';
import { Breaker } from './breaker.model';
import { StoredBreaker } from './stored-breaker';

/** The GraphQL view of a persisted breaker at `now`. */
export function toBreakerView(breaker: StoredBreaker, now: number): Breaker {
  const { snapshot, config, metrics } = breaker.record;
  return {
    name: breaker.name,
    state: snapshot.state,
    config: { ...config },
    consecutiveFailures: snapshot.consecutiveFailures,
    stateChangedAt: new Date(snapshot.stateChangedAt),
    openUntil: snapshot.openUntil === null ? null : new Date(snapshot.openUntil),
    currentOpenTimeoutMs: snapshot.currentOpenTimeoutMs,
    metrics: toMetricsView(breaker.name, metrics, now),
  };
}
