import { recoveryRate } from '../grading';
import { percent } from './format';
import { RecommendationKind, RecommendationRule, Severity } from './recommendation';

/** The seed's rule: most recoveries fail. Needs at least one concluded attempt. */
export const lowRecoveryRate: RecommendationRule = (f, t) => {
  const concluded = f.successfulRecoveries + f.failedRecoveries;
  const rate = recoveryRate(f.successfulRecoveries, f.failedRecoveries);
  if (concluded === 0 || rate >= t.lowRecoveryRate) return null;
  return {
    breakerName: f.name,
    kind: RecommendationKind.LOW_RECOVERY_RATE,
    severity: rate < t.lowRecoveryRate / 2 ? Severity.CRITICAL : Severity.WARNING,
    message:
      `Breaker "${f.name}" recovers in ${percent(rate)} of attempts (${f.successfulRecoveries} of ${concluded}). ` +
      `Review its thresholds: failureThreshold ${f.config.failureThreshold}, openTimeoutMs ${f.config.openTimeoutMs}, ` +
      `successThreshold ${f.config.successThreshold}.`,
    suggestedConfig: null,
    evidence: {
      recoveryRate: rate,
      successfulRecoveries: f.successfulRecoveries,
      failedRecoveries: f.failedRecoveries,
      threshold: t.lowRecoveryRate,
    },
  };
};
