import { CONFIG_LIMITS, TripPolicy } from '../../breakers/engine';
import { duration } from './format';
import { Recommendation, RecommendationKind, RecommendationRule, Severity } from './recommendation';

/**
 * Opens again and again from CLOSED: it trips on noise. In CONSECUTIVE_FAILURES mode, suggests
 * doubling failureThreshold. In FAILURE_RATE mode failureThreshold decides nothing, and which of the
 * rate settings trips it (failures or slow calls, the threshold or too small a minimumCalls) is not
 * in the facts: it names them and suggests no setting.
 */
export const flapping: RecommendationRule = (f, t) => {
  if (f.openingsFromClosed < t.flappingOpenings) return null;
  const opened = `Breaker "${f.name}" opened ${f.openingsFromClosed} times from CLOSED in the last ${duration(t.windowMs)}.`;
  if (f.config.tripOn === TripPolicy.FAILURE_RATE) {
    const c = f.config;
    return {
      breakerName: f.name,
      kind: RecommendationKind.FLAPPING,
      severity: Severity.WARNING,
      message:
        `${opened} It trips on its failure rate: review failureRateThreshold (${c.failureRateThreshold}%), ` +
        `slowCallRateThreshold (${c.slowCallRateThreshold}%), and minimumCalls (${c.minimumCalls}) over windowMs ` +
        `(${c.windowMs}); more calls per window make short bursts weigh less.`,
      suggestedConfig: null,
      evidence: {
        openingsFromClosed: f.openingsFromClosed,
        windowMs: t.windowMs,
        tripOn: c.tripOn,
        failureRateThreshold: c.failureRateThreshold,
        slowCallRateThreshold: c.slowCallRateThreshold,
        minimumCalls: c.minimumCalls,
        breakerWindowMs: c.windowMs,
      },
    };
  }
  return consecutive(f.name, opened, f.openingsFromClosed, t.windowMs, f.config.failureThreshold);
};

function consecutive(
  name: string,
  opened: string,
  openings: number,
  windowMs: number,
  current: number,
): Recommendation | null {
  const suggested = Math.min(CONFIG_LIMITS.failureThreshold.max, current * 2);
  if (suggested === current) return null;
  return {
    breakerName: name,
    kind: RecommendationKind.FLAPPING,
    severity: Severity.WARNING,
    message: `${opened} Raise failureThreshold from ${current} to ${suggested} so that short bursts of failures do not trip it.`,
    suggestedConfig: { failureThreshold: suggested },
    evidence: { openingsFromClosed: openings, windowMs, failureThreshold: current },
  };
}
