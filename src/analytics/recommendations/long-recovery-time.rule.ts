import { duration } from './format';
import { RecommendationKind, RecommendationRule, Severity } from './recommendation';

/** The seed's rule: outages last long on average. */
export const longRecoveryTime: RecommendationRule = (f, t) => {
  if (f.successfulRecoveries === 0 || f.averageRecoveryTimeMs <= t.longRecoveryTimeMs) return null;
  return {
    breakerName: f.name,
    kind: RecommendationKind.LONG_RECOVERY_TIME,
    severity: f.averageRecoveryTimeMs > 5 * t.longRecoveryTimeMs ? Severity.CRITICAL : Severity.WARNING,
    message:
      `Breaker "${f.name}" takes ${duration(f.averageRecoveryTimeMs)} on average to recover ` +
      `(over ${f.successfulRecoveries} recoveries). Look at the dependency's recovery, and at openTimeoutMs ` +
      `(${f.config.openTimeoutMs}): trials may start long before the dependency is back.`,
    suggestedConfig: null,
    evidence: {
      averageRecoveryTimeMs: f.averageRecoveryTimeMs,
      successfulRecoveries: f.successfulRecoveries,
      openTimeoutMs: f.config.openTimeoutMs,
      thresholdMs: t.longRecoveryTimeMs,
    },
  };
};
