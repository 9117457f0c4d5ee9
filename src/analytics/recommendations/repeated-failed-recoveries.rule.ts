import { duration } from './format';
import { RecommendationKind, RecommendationRule, Severity } from './recommendation';

/**
 * Recoveries keep failing in a row: trials start before the dependency is back. Suggests an
 * openTimeoutMs near the 75th percentile of observed recovery times, within [100, maxOpenTimeoutMs].
 * Where that would not lengthen the open period (no recovery observed yet, or they were quick),
 * it suggests doubling it instead; at the cap already, it suggests no setting.
 */
export const repeatedFailedRecoveries: RecommendationRule = (f, t) => {
  if (f.consecutiveFailedRecoveries < t.repeatedFailedRecoveries) return null;
  const { openTimeoutMs, maxOpenTimeoutMs } = f.config;
  const clamp = (ms: number) => Math.round(Math.min(Math.max(ms, 100), maxOpenTimeoutMs));
  const fromP75 = f.p75RecoveryTimeMs === null ? null : clamp(f.p75RecoveryTimeMs);
  const suggested = fromP75 !== null && fromP75 > openTimeoutMs ? fromP75 : clamp(openTimeoutMs * 2);
  const basis =
    f.p75RecoveryTimeMs === null
      ? 'no recovery has been observed yet'
      : `75% of observed recoveries took up to ${duration(f.p75RecoveryTimeMs)}`;
  const advice =
    suggested > openTimeoutMs
      ? `Set openTimeoutMs to ${suggested} (now ${openTimeoutMs}, cap ${maxOpenTimeoutMs}).`
      : `openTimeoutMs (${openTimeoutMs}) is already at its cap; check the dependency, or raise maxOpenTimeoutMs.`;
  return {
    breakerName: f.name,
    kind: RecommendationKind.REPEATED_FAILED_RECOVERIES,
    severity: f.consecutiveFailedRecoveries >= 2 * t.repeatedFailedRecoveries ? Severity.CRITICAL : Severity.WARNING,
    message: `Breaker "${f.name}" failed ${f.consecutiveFailedRecoveries} recoveries in a row; ${basis}. ${advice}`,
    suggestedConfig: suggested > openTimeoutMs ? { openTimeoutMs: suggested } : null,
    evidence: {
      consecutiveFailedRecoveries: f.consecutiveFailedRecoveries,
      p75RecoveryTimeMs: f.p75RecoveryTimeMs,
      openTimeoutMs,
      maxOpenTimeoutMs,
    },
  };
};
