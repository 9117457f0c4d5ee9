import { BreakerState } from '../../breakers/engine';
import { duration } from './format';
import { Recommendation, RecommendationKind, RecommendationRule, Severity } from './recommendation';

/** Away from CLOSED far longer than its open period says, or forced open for long. */
export const stuckOpen: RecommendationRule = (f, t, now): Recommendation | null => {
  if (f.state === BreakerState.FORCED_OPEN) {
    const forcedMs = now - f.stateChangedAt;
    if (forcedMs <= t.forcedOpenMaxMs) return null;
    return {
      breakerName: f.name,
      kind: RecommendationKind.STUCK_OPEN,
      severity: Severity.CRITICAL,
      message:
        `Breaker "${f.name}" has been forced open for ${duration(forcedMs)}. ` +
        `If the maintenance is over, reset it; every call is refused until then.`,
      suggestedConfig: null,
      evidence: { state: f.state, forcedOpenMs: forcedMs, thresholdMs: t.forcedOpenMaxMs },
    };
  }
  if ((f.state !== BreakerState.OPEN && f.state !== BreakerState.HALF_OPEN) || f.awaySince === null) return null;
  const awayMs = now - f.awaySince;
  const limitMs = Math.max(t.stuckOpenTimeoutFactor * f.config.openTimeoutMs, t.stuckOpenMinMs);
  if (awayMs <= limitMs) return null;
  return {
    breakerName: f.name,
    kind: RecommendationKind.STUCK_OPEN,
    severity: Severity.CRITICAL,
    message:
      `Breaker "${f.name}" has been away from CLOSED for ${duration(awayMs)}, longer than ${duration(limitMs)} ` +
      `(the larger of ${t.stuckOpenTimeoutFactor} × openTimeoutMs ${f.config.openTimeoutMs} and ` +
      `${duration(t.stuckOpenMinMs)}). Check the dependency; if it was under maintenance that is now over, reset the breaker.`,
    suggestedConfig: null,
    evidence: { state: f.state, awayFromClosedMs: awayMs, openTimeoutMs: f.config.openTimeoutMs, thresholdMs: limitMs },
  };
};
