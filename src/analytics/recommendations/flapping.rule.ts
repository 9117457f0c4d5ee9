import { CONFIG_LIMITS } from '../../breakers/engine';
import { duration } from './format';
import { RecommendationKind, RecommendationRule, Severity } from './recommendation';

/** Opens again and again from CLOSED: the threshold trips on noise. Suggests doubling it. */
export const flapping: RecommendationRule = (f, t) => {
  if (f.openingsFromClosed < t.flappingOpenings) return null;
  const current = f.config.failureThreshold;
  const suggested = Math.min(CONFIG_LIMITS.failureThreshold.max, current * 2);
  if (suggested === current) return null;
  return {
    breakerName: f.name,
    kind: RecommendationKind.FLAPPING,
    severity: Severity.WARNING,
    message:
      `Breaker "${f.name}" opened ${f.openingsFromClosed} times from CLOSED in the last ${duration(t.windowMs)}. ` +
      `Raise failureThreshold from ${current} to ${suggested} so that short bursts of failures do not trip it.`,
    suggestedConfig: { failureThreshold: suggested },
    evidence: { openingsFromClosed: f.openingsFromClosed, windowMs: t.windowMs, failureThreshold: current },
  };
};
