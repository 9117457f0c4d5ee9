import { BreakerState, TripPolicy } from '../../breakers/engine';
import { duration, percent } from './format';
import { BreakerFacts, Recommendation, RecommendationKind, RecommendationRule, Severity } from './recommendation';

/**
 * Mostly failing, yet never tripped: the threshold is too high to ever be reached. In
 * CONSECUTIVE_FAILURES mode, suggests halving failureThreshold. In FAILURE_RATE mode failureThreshold
 * decides nothing: it names the settings that do (failureRateThreshold, and minimumCalls against the
 * calls a window of windowMs held on average), and suggests no setting.
 */
export const thresholdTooLax: RecommendationRule = (f, t) => {
  if (f.state !== BreakerState.CLOSED || f.leftClosed > 0 || f.windowCalls < t.laxMinCalls) return null;
  const ratio = f.windowFailures / f.windowCalls;
  if (ratio <= t.laxFailureRatio) return null;
  const saw =
    `Breaker "${f.name}" saw ${f.windowFailures} failures in ${f.windowCalls} calls (${percent(ratio)}) in the ` +
    `last ${duration(t.windowMs)} without ever opening.`;
  const evidence = {
    calls: f.windowCalls,
    failures: f.windowFailures,
    failureRatio: ratio,
    windowMs: t.windowMs,
  };
  if (f.config.tripOn === TripPolicy.FAILURE_RATE) return failureRateMode(f, saw, evidence, t.windowMs);
  const current = f.config.failureThreshold;
  const suggested = Math.max(1, Math.min(current - 1, Math.ceil(current / 2)));
  if (suggested >= current) return null;
  return {
    breakerName: f.name,
    kind: RecommendationKind.THRESHOLD_TOO_LAX,
    severity: Severity.WARNING,
    message: `${saw} Lower failureThreshold from ${current} to ${suggested}.`,
    suggestedConfig: { failureThreshold: suggested },
    evidence: { ...evidence, failureThreshold: current },
  };
};

function failureRateMode(
  f: BreakerFacts,
  saw: string,
  evidence: Record<string, number>,
  windowMs: number,
): Recommendation {
  const c = f.config;
  const callsPerBreakerWindow = (f.windowCalls * c.windowMs) / windowMs;
  return {
    breakerName: f.name,
    kind: RecommendationKind.THRESHOLD_TOO_LAX,
    severity: Severity.WARNING,
    message:
      `${saw} It trips on its failure rate: check failureRateThreshold (${c.failureRateThreshold}%) against that ` +
      `rate, and minimumCalls (${c.minimumCalls}) against the ${Math.round(callsPerBreakerWindow)} calls its window ` +
      `of ${duration(c.windowMs)} held on average; a window that never holds minimumCalls never trips.`,
    suggestedConfig: null,
    evidence: {
      ...evidence,
      tripOn: c.tripOn,
      failureRateThreshold: c.failureRateThreshold,
      minimumCalls: c.minimumCalls,
      breakerWindowMs: c.windowMs,
      callsPerBreakerWindow,
    },
  };
}
