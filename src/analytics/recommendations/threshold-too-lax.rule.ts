import { BreakerState } from '../../breakers/engine';
import { duration, percent } from './format';
import { RecommendationKind, RecommendationRule, Severity } from './recommendation';

/** Mostly failing, yet never tripped: the threshold is too high to ever be reached. Suggests halving it. */
export const thresholdTooLax: RecommendationRule = (f, t) => {
  if (f.state !== BreakerState.CLOSED || f.leftClosed > 0 || f.windowCalls < t.laxMinCalls) return null;
  const ratio = f.windowFailures / f.windowCalls;
  if (ratio <= t.laxFailureRatio) return null;
  const current = f.config.failureThreshold;
  const suggested = Math.max(1, Math.min(current - 1, Math.ceil(current / 2)));
  if (suggested >= current) return null;
  return {
    breakerName: f.name,
    kind: RecommendationKind.THRESHOLD_TOO_LAX,
    severity: Severity.WARNING,
    message:
      `Breaker "${f.name}" saw ${f.windowFailures} failures in ${f.windowCalls} calls (${percent(ratio)}) in the ` +
      `last ${duration(t.windowMs)} without ever opening. Lower failureThreshold from ${current} to ${suggested}.`,
    suggestedConfig: { failureThreshold: suggested },
    evidence: {
      calls: f.windowCalls,
      failures: f.windowFailures,
      failureRatio: ratio,
      windowMs: t.windowMs,
      failureThreshold: current,
    },
  };
};
