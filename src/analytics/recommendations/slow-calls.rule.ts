import { BreakerConfig, CONFIG_LIMITS, TripPolicy } from '../../breakers/engine';
import { ceilReadable, duration, percent } from './format';
import {
  BreakerFacts,
  Recommendation,
  RecommendationKind,
  RecommendationRule,
  RecommendationThresholds,
  Severity,
} from './recommendation';

/**
 * The breaker's calls are slow, over the window (`windowMs`), once it holds `slowMinTimedCalls`
 * calls with a duration. Two cases:
 * - `slowCallDurationMs` is set and the window's p99 is above it: more than 1 % of the calls are
 *   slow. From one window the rule cannot tell a degraded dependency from a threshold set inside the
 *   dependency's normal latency, so it says both, and suggests the p99 rounded up (`ceilReadable`):
 *   the threshold under which about 1 % of this window's calls would be slow, to apply only if this
 *   latency is normal. WARNING.
 * - `slowCallDurationMs` is unset and slow calls are common: p99 ≥ `slowTailFactor` × p50 and
 *   p99 ≥ `slowTailMinMs`, a tail far from the typical call that nothing counts. Suggests
 *   `slowCallDurationMs` = the p99 rounded up (`ceilReadable`), so that about the slowest 1 % count. INFO.
 * The suggestion is kept within `CONFIG_LIMITS.slowCallDurationMs`; where that would not raise a set
 * threshold (it is at the cap already), the advice stands without a suggested setting.
 */
export const slowCalls: RecommendationRule = (f, t) => {
  if (f.windowTimedCalls < t.slowMinTimedCalls || f.p50Ms === null || f.p99Ms === null) return null;
  const latency: Latency = { p50: f.p50Ms, p99: f.p99Ms, suggested: clampSlow(ceilReadable(f.p99Ms)) };
  return f.config.slowCallDurationMs === null
    ? slowTail(f, t, latency)
    : aboveThreshold(f, t, latency, f.config.slowCallDurationMs);
};

/** The window's percentiles, and the p99 as a setting. */
interface Latency {
  readonly p50: number;
  readonly p99: number;
  readonly suggested: number;
}

function aboveThreshold(
  f: BreakerFacts,
  t: RecommendationThresholds,
  w: Latency,
  current: number,
): Recommendation | null {
  if (w.p99 <= current) return null;
  const slowRatio = f.windowSlowCalls / f.windowTimedCalls;
  const raises = w.suggested > current;
  const advice = raises
    ? `If this latency is the dependency's normal, set slowCallDurationMs to ${w.suggested} (the p99, rounded up); otherwise look at the dependency.`
    : `slowCallDurationMs cannot go higher than ${CONFIG_LIMITS.slowCallDurationMs.max}; look at the dependency.`;
  return {
    breakerName: f.name,
    kind: RecommendationKind.SLOW_CALLS,
    severity: Severity.WARNING,
    message:
      `Breaker "${f.name}" is slow more than 1% of the time: its p99 is above slowCallDurationMs ${current} ` +
      `(${figures(f, t, w)}); ${f.windowSlowCalls} of them (${percent(slowRatio)}) were slow. Either the dependency ` +
      `has slowed down, or the threshold sits inside its normal latency. ${advice}`,
    suggestedConfig: raises ? { slowCallDurationMs: w.suggested } : null,
    evidence: {
      ...evidence(f, t, w),
      slowCalls: f.windowSlowCalls,
      slowCallRatio: slowRatio,
      slowCallDurationMs: current,
    },
  };
}

function slowTail(f: BreakerFacts, t: RecommendationThresholds, w: Latency): Recommendation | null {
  if (w.p99 < t.slowTailMinMs || w.p99 < t.slowTailFactor * w.p50) return null;
  const tail = w.p50 > 0 ? w.p99 / w.p50 : null;
  return {
    breakerName: f.name,
    kind: RecommendationKind.SLOW_CALLS,
    severity: Severity.INFO,
    message:
      `Breaker "${f.name}" has a slow tail that nothing counts: its p99 is ` +
      `${tail === null ? 'far above' : `${Math.round(tail * 10) / 10} ×`} its p50 (${figures(f, t, w)}), and ` +
      `slowCallDurationMs is unset. Set slowCallDurationMs to ${w.suggested} (the p99, rounded up) so that the ` +
      `slowest 1% count as slow calls: ${whatSlowMeans(f.config)}.`,
    suggestedConfig: { slowCallDurationMs: w.suggested },
    evidence: {
      ...evidence(f, t, w),
      slowCallDurationMs: null,
      p99ToP50: tail,
      tailFactor: t.slowTailFactor,
      tailMinMs: t.slowTailMinMs,
    },
  };
}

function figures(f: BreakerFacts, t: RecommendationThresholds, w: Latency): string {
  return (
    `p50 ${duration(w.p50)}, p99 ${duration(w.p99)}, max ${duration(f.windowMaxMs ?? w.p99)}, ` +
    `over ${f.windowTimedCalls} timed calls in the last ${duration(t.windowMs)}`
  );
}

function evidence(f: BreakerFacts, t: RecommendationThresholds, w: Latency) {
  return { p50Ms: w.p50, p99Ms: w.p99, maxMs: f.windowMaxMs, timedCalls: f.windowTimedCalls, windowMs: t.windowMs };
}

function clampSlow(ms: number): number {
  const { min, max } = CONFIG_LIMITS.slowCallDurationMs;
  return Math.min(max, Math.max(min, ms));
}

function whatSlowMeans(config: BreakerConfig): string {
  return config.tripOn === TripPolicy.FAILURE_RATE
    ? `in FAILURE_RATE mode they trip it when they reach slowCallRateThreshold (${config.slowCallRateThreshold}%) of its window`
    : `in CONSECUTIVE_FAILURES mode a slow success counts as a failure`;
}
