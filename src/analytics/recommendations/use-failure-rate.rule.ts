import { BreakerState, TripPolicy } from '../../breakers/engine';
import { duration, percent } from './format';
import {
  BreakerFacts,
  BUSY_MINUTE_CALLS,
  Recommendation,
  RecommendationKind,
  RecommendationRule,
  RecommendationThresholds,
  Severity,
} from './recommendation';

const HOUR_MS = 3_600_000;
/** The suggested failureRateThreshold lies in [20, 50] percent. */
export const SUGGESTED_RATE_FLOOR = 20;
export const SUGGESTED_RATE_CAP = 50;
/** The suggested minimumCalls: the calls of 10 s at the median minute's rate, within [10, 1000]. */
export const SUGGESTED_MIN_CALLS_SPAN_MS = 10_000;
export const SUGGESTED_MIN_CALLS_FLOOR = 10;
export const SUGGESTED_MIN_CALLS_CAP = 1000;
export const SUGGESTED_WINDOW_MS = 60_000;

/**
 * A busy CONSECUTIVE_FAILURES breaker (at least `rateMinCallsPerHour` calls an hour: the window's
 * calls × 1 h / `windowMs`) for which consecutive failures are the wrong signal:
 * - failures went unnoticed: CLOSED throughout the window (`leftClosed` 0), yet a minute of at least
 *   `BUSY_MINUTE_CALLS` calls, or the whole window, failed at `rateFailureRatio` (50 %) or more; or
 * - it flaps: `flappingOpenings` or more openings from CLOSED in the window.
 * Suggests, from its own data, a setting to apply as is:
 * - tripOn FAILURE_RATE;
 * - failureRateThreshold = ceil(2 × its median minute failure rate, in percent), within [20, 50]:
 *   twice what is normal for it, never so low that noise trips it nor above the 50 % that should have;
 * - minimumCalls = round(median calls of its active minutes × 10 s / 60 s), within [10, 1000]: a
 *   window holds about that many calls after 10 s at its usual rate;
 * - windowMs 60000 (the default, and the minute its figures are counted in).
 */
export const useFailureRate: RecommendationRule = (f, t) => {
  if (f.config.tripOn !== TripPolicy.CONSECUTIVE_FAILURES || f.windowCalls === 0) return null;
  const callsPerHour = (f.windowCalls * HOUR_MS) / t.windowMs;
  if (callsPerHour < t.rateMinCallsPerHour) return null;
  const failureRatio = f.windowFailures / f.windowCalls;
  const unnoticed =
    f.state === BreakerState.CLOSED &&
    f.leftClosed === 0 &&
    (failureRatio >= t.rateFailureRatio ||
      (f.maxMinuteFailureRatio !== null && f.maxMinuteFailureRatio >= t.rateFailureRatio));
  if (!unnoticed && f.openingsFromClosed < t.flappingOpenings) return null;
  return advise(f, t, { callsPerHour, failureRatio, unnoticed });
};

interface Findings {
  readonly callsPerHour: number;
  readonly failureRatio: number;
  /** Else it flaps. */
  readonly unnoticed: boolean;
}

function advise(f: BreakerFacts, t: RecommendationThresholds, x: Findings): Recommendation {
  const medianRatio = f.medianMinuteFailureRatio ?? x.failureRatio;
  const medianCalls = f.medianMinuteCalls ?? f.windowCalls / Math.max(1, f.activeMinutes);
  const suggested = {
    tripOn: TripPolicy.FAILURE_RATE,
    failureRateThreshold: suggestedRate(medianRatio),
    minimumCalls: suggestedMinimumCalls(medianCalls),
    windowMs: SUGGESTED_WINDOW_MS,
  };
  // Exclusive: an opening from CLOSED is a departure from it.
  const finding = x.unnoticed ? unnoticedText(f, t, x.failureRatio) : flapsText(f, t);
  return {
    breakerName: f.name,
    kind: RecommendationKind.USE_FAILURE_RATE,
    severity: Severity.WARNING,
    message:
      `Breaker "${f.name}" takes ${Math.round(x.callsPerHour)} calls an hour in CONSECUTIVE_FAILURES mode ` +
      `(failureThreshold ${f.config.failureThreshold}) and ${finding}. At this volume, trip on ` +
      `the failure rate over a window instead: tripOn FAILURE_RATE, failureRateThreshold ${suggested.failureRateThreshold} ` +
      `(twice its median minute failure rate of ${percent(medianRatio)}, within ${SUGGESTED_RATE_FLOOR}–${SUGGESTED_RATE_CAP}), ` +
      `minimumCalls ${suggested.minimumCalls} (about 10 s of calls at its median ${round1(medianCalls)} a minute, ` +
      `within ${SUGGESTED_MIN_CALLS_FLOOR}–${SUGGESTED_MIN_CALLS_CAP}), windowMs ${SUGGESTED_WINDOW_MS}.`,
    suggestedConfig: suggested,
    evidence: {
      reason: x.unnoticed ? 'FAILURES_UNNOTICED' : 'FLAPPING',
      callsPerHour: x.callsPerHour,
      calls: f.windowCalls,
      failures: f.windowFailures,
      failureRatio: x.failureRatio,
      maxMinuteFailureRatio: f.maxMinuteFailureRatio,
      medianMinuteFailureRatio: f.medianMinuteFailureRatio,
      medianMinuteCalls: f.medianMinuteCalls,
      activeMinutes: f.activeMinutes,
      openingsFromClosed: f.openingsFromClosed,
      failureThreshold: f.config.failureThreshold,
      windowMs: t.windowMs,
    },
  };
}

function unnoticedText(f: BreakerFacts, t: RecommendationThresholds, failureRatio: number): string {
  const worst =
    f.maxMinuteFailureRatio === null
      ? ''
      : `${percent(f.maxMinuteFailureRatio)} of the calls in its worst minute (of at least ${BUSY_MINUTE_CALLS} calls) and `;
  return (
    `failed ${worst}${percent(failureRatio)} over the last ${duration(t.windowMs)} (${f.windowFailures} of ` +
    `${f.windowCalls}) without ever opening: the successes between failures keep resetting its count`
  );
}

function flapsText(f: BreakerFacts, t: RecommendationThresholds): string {
  return (
    `opened ${f.openingsFromClosed} times from CLOSED in the last ${duration(t.windowMs)}: a few failures in a row ` +
    `trip it, however many calls succeed around them`
  );
}

/** ceil(2 × the ratio in percent), within [20, 50]; the epsilon keeps 2 × 14 % at 28, where floating point makes 28.000000000000004. */
export function suggestedRate(medianMinuteFailureRatio: number): number {
  const twice = Math.ceil(200 * medianMinuteFailureRatio - 1e-9);
  return Math.min(SUGGESTED_RATE_CAP, Math.max(SUGGESTED_RATE_FLOOR, twice));
}

/** round(median calls a minute × 10 s / 1 min), within [10, 1000]. */
export function suggestedMinimumCalls(medianMinuteCalls: number): number {
  const inSpan = Math.round((medianMinuteCalls * SUGGESTED_MIN_CALLS_SPAN_MS) / 60_000);
  return Math.min(SUGGESTED_MIN_CALLS_CAP, Math.max(SUGGESTED_MIN_CALLS_FLOOR, inSpan));
}

function round1(value: number): number {
  return Math.round(value * 10) / 10;
}
