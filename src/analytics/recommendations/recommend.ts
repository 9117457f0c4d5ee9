import { flapping } from './flapping.rule';
import { longRecoveryTime } from './long-recovery-time.rule';
import { lowRecoveryRate } from './low-recovery-rate.rule';
import { BreakerFacts, Recommendation, RecommendationRule, RecommendationThresholds } from './recommendation';
import { repeatedFailedRecoveries } from './repeated-failed-recoveries.rule';
import { slowCalls } from './slow-calls.rule';
import { stuckOpen } from './stuck-open.rule';
import { thresholdTooLax } from './threshold-too-lax.rule';
import { useFailureRate } from './use-failure-rate.rule';

export const RULES: readonly RecommendationRule[] = [
  stuckOpen,
  repeatedFailedRecoveries,
  lowRecoveryRate,
  longRecoveryTime,
  flapping,
  thresholdTooLax,
  slowCalls,
  useFailureRate,
];

/** Every recommendation the rules make for these breakers, most severe first, then by breaker name. */
export function recommend(
  facts: readonly BreakerFacts[],
  thresholds: RecommendationThresholds,
  now: number,
): Recommendation[] {
  const rank = { CRITICAL: 0, WARNING: 1, INFO: 2 } as const;
  return facts
    .flatMap((f) => RULES.map((rule) => rule(f, thresholds, now)))
    .filter((r): r is Recommendation => r !== null)
    .sort((a, b) => rank[a.severity] - rank[b.severity] || byCodePoint(a.breakerName, b.breakerName));
}

/** Plain code-point order, as the database and the breakers list sort names, whatever the locale. */
function byCodePoint(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
