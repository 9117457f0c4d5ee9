import fc from 'fast-check';
import {
  BreakerConfig,
  BreakerState,
  CONFIG_LIMITS,
  DEFAULT_CONFIG,
  resolveConfig,
  TripPolicy,
} from '../../breakers/engine';
import { flapping } from './flapping.rule';
import { longRecoveryTime } from './long-recovery-time.rule';
import { lowRecoveryRate } from './low-recovery-rate.rule';
import { recommend, RULES } from './recommend';
import {
  BreakerFacts,
  DEFAULT_THRESHOLDS,
  Recommendation,
  RecommendationKind as K,
  RecommendationThresholds,
  Severity,
} from './recommendation';
import { repeatedFailedRecoveries } from './repeated-failed-recoveries.rule';
import { stuckOpen } from './stuck-open.rule';
import { slowCalls } from './slow-calls.rule';
import { thresholdTooLax } from './threshold-too-lax.rule';
import { suggestedMinimumCalls, suggestedRate, useFailureRate } from './use-failure-rate.rule';

/** The injected clock: every rule is given this instant, never the real one. */
const NOW = 1_700_000_000_000;
const MIN = 60_000;
const HOUR = 3_600_000;
const S = BreakerState;
const T = DEFAULT_THRESHOLDS;

const CONFIG: BreakerConfig = {
  ...DEFAULT_CONFIG,
  failureThreshold: 5,
  openTimeoutMs: 30_000,
  maxOpenTimeoutMs: 120_000,
  halfOpenMaxCalls: 1,
  successThreshold: 1,
};

type FactsOverrides = Partial<Omit<BreakerFacts, 'config'>> & { config?: Partial<BreakerConfig> };

/** A healthy CLOSED breaker that no rule has anything to say about; override what a test needs. */
function facts(overrides: FactsOverrides = {}): BreakerFacts {
  const { config, ...rest } = overrides;
  return {
    name: 'payments',
    state: S.CLOSED,
    config: { ...CONFIG, ...config },
    stateChangedAt: NOW - 2 * HOUR,
    awaySince: null,
    successfulRecoveries: 10,
    failedRecoveries: 0,
    consecutiveFailedRecoveries: 0,
    averageRecoveryTimeMs: 2_000,
    p75RecoveryTimeMs: 2_500,
    openingsFromClosed: 0,
    leftClosed: 0,
    windowCalls: 40,
    windowFailures: 2,
    windowSlowCalls: 0,
    windowTimedCalls: 40,
    p50Ms: 20,
    p99Ms: 60,
    windowMaxMs: 80,
    activeMinutes: 20,
    medianMinuteCalls: 2,
    medianMinuteFailureRatio: 0,
    maxMinuteFailureRatio: null,
    ...rest,
  };
}

function thresholds(overrides: Partial<RecommendationThresholds>): RecommendationThresholds {
  return { ...DEFAULT_THRESHOLDS, ...overrides };
}

/** Narrows a rule's answer to a recommendation, failing the test if the rule did not fire. */
function fired(r: Recommendation | null): Recommendation {
  expect(r).not.toBeNull();
  return r as Recommendation;
}

describe('DEFAULT_THRESHOLDS', () => {
  it('are the issue table defaults', () => {
    expect(DEFAULT_THRESHOLDS).toEqual({
      windowMs: 3_600_000,
      lowRecoveryRate: 0.5,
      longRecoveryTimeMs: 60_000,
      flappingOpenings: 5,
      repeatedFailedRecoveries: 3,
      stuckOpenTimeoutFactor: 10,
      stuckOpenMinMs: 600_000,
      forcedOpenMaxMs: 3_600_000,
      laxFailureRatio: 0.5,
      laxMinCalls: 100,
      slowMinTimedCalls: 100,
      slowTailFactor: 5,
      slowTailMinMs: 100,
      rateMinCallsPerHour: 1000,
      rateFailureRatio: 0.5,
    });
  });
});

describe('the healthy fixture', () => {
  it.each(RULES.map((rule) => [rule.name, rule] as const))('%s says nothing about it', (_name, rule) => {
    expect(rule(facts(), T, NOW)).toBeNull();
  });
});

describe('lowRecoveryRate (LOW_RECOVERY_RATE)', () => {
  it('fires at rate 0.49 with concluded attempts', () => {
    const r = fired(lowRecoveryRate(facts({ successfulRecoveries: 49, failedRecoveries: 51 }), T, NOW));
    expect(r.kind).toBe(K.LOW_RECOVERY_RATE);
    expect(r.severity).toBe(Severity.WARNING);
    expect(r.breakerName).toBe('payments');
    expect(r.message).toContain('"payments"');
    expect(r.message).toContain('49%');
    expect(r.message).toContain('49 of 100');
    expect(r.message).toContain('failureThreshold 5');
    expect(r.message).toContain('openTimeoutMs 30000');
    expect(r.message).toContain('successThreshold 1');
    expect(r.evidence).toEqual({ recoveryRate: 0.49, successfulRecoveries: 49, failedRecoveries: 51, threshold: 0.5 });
    expect(r.suggestedConfig).toBeNull();
  });

  it('does not fire at exactly 0.5', () => {
    expect(lowRecoveryRate(facts({ successfulRecoveries: 1, failedRecoveries: 1 }), T, NOW)).toBeNull();
    expect(lowRecoveryRate(facts({ successfulRecoveries: 50, failedRecoveries: 50 }), T, NOW)).toBeNull();
  });

  it('fires with a single concluded (failed) attempt, as CRITICAL', () => {
    const r = fired(lowRecoveryRate(facts({ successfulRecoveries: 0, failedRecoveries: 1 }), T, NOW));
    expect(r.severity).toBe(Severity.CRITICAL);
    expect(r.message).toContain('0%');
    expect(r.message).toContain('0 of 1');
    expect(r.evidence).toEqual({ recoveryRate: 0, successfulRecoveries: 0, failedRecoveries: 1, threshold: 0.5 });
  });

  it('does not fire without a concluded attempt, even when the threshold would be met by the 1.0 default', () => {
    const strict = thresholds({ lowRecoveryRate: 1.01 });
    expect(lowRecoveryRate(facts({ successfulRecoveries: 0, failedRecoveries: 0 }), strict, NOW)).toBeNull();
    expect(lowRecoveryRate(facts({ successfulRecoveries: 0, failedRecoveries: 0 }), T, NOW)).toBeNull();
    // One concluded attempt is enough for the same threshold to fire.
    expect(fired(lowRecoveryRate(facts({ successfulRecoveries: 1, failedRecoveries: 0 }), strict, NOW)).kind).toBe(
      K.LOW_RECOVERY_RATE,
    );
  });

  it('is CRITICAL below half the threshold, WARNING at it', () => {
    expect(fired(lowRecoveryRate(facts({ successfulRecoveries: 1, failedRecoveries: 3 }), T, NOW)).severity).toBe(
      Severity.WARNING,
    );
    expect(fired(lowRecoveryRate(facts({ successfulRecoveries: 24, failedRecoveries: 76 }), T, NOW)).severity).toBe(
      Severity.CRITICAL,
    );
  });

  it('uses the configured threshold', () => {
    const f = facts({ successfulRecoveries: 7, failedRecoveries: 3 });
    expect(lowRecoveryRate(f, T, NOW)).toBeNull();
    const r = fired(lowRecoveryRate(f, thresholds({ lowRecoveryRate: 0.8 }), NOW));
    expect(r.evidence.threshold).toBe(0.8);
    expect(r.message).toContain('70%');
    expect(lowRecoveryRate(f, thresholds({ lowRecoveryRate: 0.7 }), NOW)).toBeNull();
  });
});

describe('longRecoveryTime (LONG_RECOVERY_TIME)', () => {
  it('fires at an average of 60001 ms', () => {
    const r = fired(longRecoveryTime(facts({ averageRecoveryTimeMs: 60_001, successfulRecoveries: 3 }), T, NOW));
    expect(r.kind).toBe(K.LONG_RECOVERY_TIME);
    expect(r.severity).toBe(Severity.WARNING);
    expect(r.breakerName).toBe('payments');
    expect(r.message).toContain('"payments"');
    expect(r.message).toContain('60 s');
    expect(r.message).toContain('3 recoveries');
    expect(r.message).toContain('openTimeoutMs');
    expect(r.message).toContain('30000');
    expect(r.evidence).toEqual({
      averageRecoveryTimeMs: 60_001,
      successfulRecoveries: 3,
      openTimeoutMs: 30_000,
      thresholdMs: 60_000,
    });
    expect(r.suggestedConfig).toBeNull();
  });

  it('says the time as an operator reads it', () => {
    const r = fired(longRecoveryTime(facts({ averageRecoveryTimeMs: 62_500 }), T, NOW));
    expect(r.message).toContain('62.5 s');
    expect(r.message).toContain('10 recoveries');
  });

  it('does not fire at exactly 60000 ms', () => {
    expect(longRecoveryTime(facts({ averageRecoveryTimeMs: 60_000 }), T, NOW)).toBeNull();
  });

  it('does not fire without a successful recovery', () => {
    expect(
      longRecoveryTime(facts({ averageRecoveryTimeMs: 90_000, successfulRecoveries: 0, failedRecoveries: 4 }), T, NOW),
    ).toBeNull();
  });

  it('is CRITICAL above five times the threshold', () => {
    expect(fired(longRecoveryTime(facts({ averageRecoveryTimeMs: 300_000 }), T, NOW)).severity).toBe(Severity.WARNING);
    expect(fired(longRecoveryTime(facts({ averageRecoveryTimeMs: 300_001 }), T, NOW)).severity).toBe(Severity.CRITICAL);
  });

  it('uses the configured threshold', () => {
    const f = facts({ averageRecoveryTimeMs: 45_000 });
    expect(longRecoveryTime(f, T, NOW)).toBeNull();
    const r = fired(longRecoveryTime(f, thresholds({ longRecoveryTimeMs: 30_000 }), NOW));
    expect(r.evidence.thresholdMs).toBe(30_000);
    expect(longRecoveryTime(f, thresholds({ longRecoveryTimeMs: 45_000 }), NOW)).toBeNull();
  });
});

describe('flapping (FLAPPING)', () => {
  it('fires at 5 openings from CLOSED and suggests doubling failureThreshold', () => {
    const r = fired(flapping(facts({ openingsFromClosed: 5 }), T, NOW));
    expect(r.kind).toBe(K.FLAPPING);
    expect(r.severity).toBe(Severity.WARNING);
    expect(r.breakerName).toBe('payments');
    expect(r.message).toContain('"payments"');
    expect(r.message).toContain('5 times');
    expect(r.message).toContain('last 1 h');
    expect(r.message).toContain('from 5 to 10');
    expect(r.evidence).toEqual({ openingsFromClosed: 5, windowMs: 3_600_000, failureThreshold: 5 });
    expect(r.suggestedConfig).toEqual({ failureThreshold: 10 });
  });

  it('does not fire at 4 openings', () => {
    expect(flapping(facts({ openingsFromClosed: 4 }), T, NOW)).toBeNull();
  });

  it('fires above the threshold too', () => {
    const r = fired(flapping(facts({ openingsFromClosed: 12, config: { failureThreshold: 3 } }), T, NOW));
    expect(r.suggestedConfig).toEqual({ failureThreshold: 6 });
    expect(r.message).toContain('12 times');
    expect(r.evidence.openingsFromClosed).toBe(12);
  });

  it('caps the suggestion at 10000', () => {
    expect(
      fired(flapping(facts({ openingsFromClosed: 5, config: { failureThreshold: 5000 } }), T, NOW)).suggestedConfig,
    ).toEqual({
      failureThreshold: 10_000,
    });
    const r = fired(flapping(facts({ openingsFromClosed: 5, config: { failureThreshold: 6000 } }), T, NOW));
    expect(r.suggestedConfig).toEqual({ failureThreshold: 10_000 });
    expect(r.message).toContain('from 6000 to 10000');
  });

  it('makes no recommendation when failureThreshold is already 10000', () => {
    expect(flapping(facts({ openingsFromClosed: 50, config: { failureThreshold: 10_000 } }), T, NOW)).toBeNull();
  });

  it('uses the configured threshold and window', () => {
    const f = facts({ openingsFromClosed: 3 });
    expect(flapping(f, T, NOW)).toBeNull();
    const r = fired(flapping(f, thresholds({ flappingOpenings: 3, windowMs: 15 * MIN }), NOW));
    expect(r.message).toContain('15 min');
    expect(r.evidence.windowMs).toBe(15 * MIN);
    expect(flapping(f, thresholds({ flappingOpenings: 4 }), NOW)).toBeNull();
  });
});

describe('repeatedFailedRecoveries (REPEATED_FAILED_RECOVERIES)', () => {
  it('fires at 3 failed recoveries in a row, suggesting openTimeoutMs = round(p75)', () => {
    const r = fired(
      repeatedFailedRecoveries(facts({ consecutiveFailedRecoveries: 3, p75RecoveryTimeMs: 45_250.4 }), T, NOW),
    );
    expect(r.kind).toBe(K.REPEATED_FAILED_RECOVERIES);
    expect(r.severity).toBe(Severity.WARNING);
    expect(r.breakerName).toBe('payments');
    expect(r.message).toContain('"payments"');
    expect(r.message).toContain('3 recoveries in a row');
    expect(r.message).toContain('45.3 s');
    expect(r.message).toContain('Set openTimeoutMs to 45250');
    expect(r.message).toContain('now 30000');
    expect(r.message).toContain('cap 120000');
    expect(r.evidence).toEqual({
      consecutiveFailedRecoveries: 3,
      p75RecoveryTimeMs: 45_250.4,
      openTimeoutMs: 30_000,
      maxOpenTimeoutMs: 120_000,
    });
    expect(r.suggestedConfig).toEqual({ openTimeoutMs: 45_250 });
  });

  it('does not fire at 2 in a row', () => {
    expect(
      repeatedFailedRecoveries(facts({ consecutiveFailedRecoveries: 2, p75RecoveryTimeMs: 45_000 }), T, NOW),
    ).toBeNull();
  });

  it('rounds p75 to a whole number of ms', () => {
    const r = fired(
      repeatedFailedRecoveries(facts({ consecutiveFailedRecoveries: 3, p75RecoveryTimeMs: 45_250.6 }), T, NOW),
    );
    expect(r.suggestedConfig).toEqual({ openTimeoutMs: 45_251 });
  });

  it('clamps the suggestion to maxOpenTimeoutMs', () => {
    const r = fired(
      repeatedFailedRecoveries(facts({ consecutiveFailedRecoveries: 3, p75RecoveryTimeMs: 500_000 }), T, NOW),
    );
    expect(r.suggestedConfig).toEqual({ openTimeoutMs: 120_000 });
    expect(r.message).toContain('Set openTimeoutMs to 120000');
  });

  it('suggests doubling the open period when observed recoveries were quicker than it', () => {
    const r = fired(
      repeatedFailedRecoveries(
        facts({ consecutiveFailedRecoveries: 3, p75RecoveryTimeMs: 40, config: { openTimeoutMs: 100 } }),
        T,
        NOW,
      ),
    );
    expect(r.suggestedConfig).toEqual({ openTimeoutMs: 200 });
  });

  it('suggests no setting when the open period is already at its cap', () => {
    const r = fired(
      repeatedFailedRecoveries(
        facts({
          consecutiveFailedRecoveries: 3,
          p75RecoveryTimeMs: 90_000,
          config: { openTimeoutMs: 60_000, maxOpenTimeoutMs: 60_000 },
        }),
        T,
        NOW,
      ),
    );
    expect(r.suggestedConfig).toBeNull();
    expect(r.message).toContain('already at its cap');
  });

  it('suggests twice the current openTimeoutMs without an observed recovery', () => {
    const r = fired(
      repeatedFailedRecoveries(facts({ consecutiveFailedRecoveries: 4, p75RecoveryTimeMs: null }), T, NOW),
    );
    expect(r.suggestedConfig).toEqual({ openTimeoutMs: 60_000 });
    expect(r.message).toContain('no recovery has been observed');
    expect(r.message).toContain('Set openTimeoutMs to 60000');
    expect(r.evidence.p75RecoveryTimeMs).toBeNull();
    expect(r.evidence.consecutiveFailedRecoveries).toBe(4);
  });

  it('clamps twice the current openTimeoutMs to maxOpenTimeoutMs', () => {
    const r = fired(
      repeatedFailedRecoveries(
        facts({ consecutiveFailedRecoveries: 3, p75RecoveryTimeMs: null, config: { maxOpenTimeoutMs: 50_000 } }),
        T,
        NOW,
      ),
    );
    expect(r.suggestedConfig).toEqual({ openTimeoutMs: 50_000 });
    expect(r.evidence.maxOpenTimeoutMs).toBe(50_000);
  });

  it('is CRITICAL at twice the threshold', () => {
    expect(fired(repeatedFailedRecoveries(facts({ consecutiveFailedRecoveries: 5 }), T, NOW)).severity).toBe(
      Severity.WARNING,
    );
    expect(fired(repeatedFailedRecoveries(facts({ consecutiveFailedRecoveries: 6 }), T, NOW)).severity).toBe(
      Severity.CRITICAL,
    );
  });

  it('uses the configured threshold', () => {
    const f = facts({ consecutiveFailedRecoveries: 2 });
    expect(repeatedFailedRecoveries(f, T, NOW)).toBeNull();
    expect(fired(repeatedFailedRecoveries(f, thresholds({ repeatedFailedRecoveries: 2 }), NOW)).kind).toBe(
      K.REPEATED_FAILED_RECOVERIES,
    );
    expect(
      repeatedFailedRecoveries(
        facts({ consecutiveFailedRecoveries: 3 }),
        thresholds({ repeatedFailedRecoveries: 4 }),
        NOW,
      ),
    ).toBeNull();
  });

  it('always suggests a valid openTimeoutMs within [100, maxOpenTimeoutMs]', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 100, max: 86_400_000 }),
        fc.integer({ min: 0, max: 86_400_000 }),
        fc.option(fc.double({ min: 0, max: 1e9, noNaN: true })),
        (openTimeoutMs, extra, p75) => {
          const maxOpenTimeoutMs = openTimeoutMs + extra;
          const r = fired(
            repeatedFailedRecoveries(
              facts({
                consecutiveFailedRecoveries: 3,
                p75RecoveryTimeMs: p75,
                config: { openTimeoutMs, maxOpenTimeoutMs },
              }),
              T,
              NOW,
            ),
          );
          if (r.suggestedConfig === null) {
            // Only when nothing longer is allowed.
            expect(openTimeoutMs).toBe(maxOpenTimeoutMs);
            return;
          }
          const suggested = r.suggestedConfig.openTimeoutMs as number;
          expect(Number.isInteger(suggested)).toBe(true);
          expect(suggested).toBeGreaterThan(openTimeoutMs);
          expect(suggested).toBeLessThanOrEqual(maxOpenTimeoutMs);
          const clamp = (ms: number) => Math.min(Math.max(Math.round(ms), 100), maxOpenTimeoutMs);
          const fromP75 = p75 === null ? null : clamp(p75);
          expect(suggested).toBe(fromP75 !== null && fromP75 > openTimeoutMs ? fromP75 : clamp(2 * openTimeoutMs));
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('stuckOpen (STUCK_OPEN)', () => {
  describe('OPEN with openTimeoutMs 30000: the 10-minute floor is the limit', () => {
    it('fires when away for 600001 ms', () => {
      const r = fired(stuckOpen(facts({ state: S.OPEN, awaySince: NOW - 600_001 }), T, NOW));
      expect(r.kind).toBe(K.STUCK_OPEN);
      expect(r.severity).toBe(Severity.CRITICAL);
      expect(r.breakerName).toBe('payments');
      expect(r.message).toContain('"payments"');
      expect(r.message).toContain('10 min');
      expect(r.message).toContain('10 ×');
      expect(r.message).toContain('30000');
      expect(r.message).toContain('reset');
      expect(r.evidence).toEqual({
        state: 'OPEN',
        awayFromClosedMs: 600_001,
        openTimeoutMs: 30_000,
        thresholdMs: 600_000,
      });
      expect(r.suggestedConfig).toBeNull();
    });

    it('does not fire when away for exactly 10 minutes', () => {
      expect(stuckOpen(facts({ state: S.OPEN, awaySince: NOW - 600_000 }), T, NOW)).toBeNull();
    });

    it('does not fire when over 10 × openTimeoutMs but under 10 minutes', () => {
      expect(stuckOpen(facts({ state: S.OPEN, awaySince: NOW - 300_001 }), T, NOW)).toBeNull();
      expect(stuckOpen(facts({ state: S.OPEN, awaySince: NOW - 599_999 }), T, NOW)).toBeNull();
    });
  });

  describe('OPEN with openTimeoutMs 120000: 10 × openTimeoutMs (20 min) is the limit', () => {
    const config = { openTimeoutMs: 120_000, maxOpenTimeoutMs: 240_000 };

    it('fires when away for 1200001 ms', () => {
      const r = fired(stuckOpen(facts({ state: S.OPEN, config, awaySince: NOW - 1_200_001 }), T, NOW));
      expect(r.message).toContain('20 min');
      expect(r.message).toContain('120000');
      expect(r.evidence).toEqual({
        state: 'OPEN',
        awayFromClosedMs: 1_200_001,
        openTimeoutMs: 120_000,
        thresholdMs: 1_200_000,
      });
    });

    it('does not fire when away for exactly 20 minutes', () => {
      expect(stuckOpen(facts({ state: S.OPEN, config, awaySince: NOW - 1_200_000 }), T, NOW)).toBeNull();
    });

    it('does not fire when over 10 minutes but under 10 × openTimeoutMs', () => {
      expect(stuckOpen(facts({ state: S.OPEN, config, awaySince: NOW - 600_001 }), T, NOW)).toBeNull();
    });
  });

  it('fires for HALF_OPEN on the same terms', () => {
    const r = fired(stuckOpen(facts({ state: S.HALF_OPEN, awaySince: NOW - 600_001 }), T, NOW));
    expect(r.evidence.state).toBe('HALF_OPEN');
    expect(r.evidence.awayFromClosedMs).toBe(600_001);
    expect(stuckOpen(facts({ state: S.HALF_OPEN, awaySince: NOW - 600_000 }), T, NOW)).toBeNull();
  });

  it('measures from awaySince, not from the last state change', () => {
    // Bouncing OPEN ↔ HALF_OPEN resets stateChangedAt, but the breaker has been away all along.
    const r = fired(
      stuckOpen(facts({ state: S.HALF_OPEN, stateChangedAt: NOW - 1_000, awaySince: NOW - 2 * HOUR }), T, NOW),
    );
    expect(r.evidence.awayFromClosedMs).toBe(2 * HOUR);
    expect(r.message).toContain('2 h');
  });

  it('uses the injected clock', () => {
    const f = facts({ state: S.OPEN, awaySince: NOW - 600_000 });
    expect(stuckOpen(f, T, NOW)).toBeNull();
    expect(fired(stuckOpen(f, T, NOW + 1)).evidence.awayFromClosedMs).toBe(600_001);
  });

  it('does not fire for OPEN without an awaySince', () => {
    expect(stuckOpen(facts({ state: S.OPEN, awaySince: null, stateChangedAt: NOW - 10 * HOUR }), T, NOW)).toBeNull();
  });

  describe('FORCED_OPEN', () => {
    it('fires when forced open for more than 1 hour', () => {
      const r = fired(stuckOpen(facts({ state: S.FORCED_OPEN, stateChangedAt: NOW - 9_000_000 }), T, NOW));
      expect(r.kind).toBe(K.STUCK_OPEN);
      expect(r.severity).toBe(Severity.CRITICAL);
      expect(r.breakerName).toBe('payments');
      expect(r.message).toContain('"payments"');
      expect(r.message).toContain('forced open');
      expect(r.message).toContain('2.5 h');
      expect(r.message).toContain('reset');
      expect(r.evidence).toEqual({ state: 'FORCED_OPEN', forcedOpenMs: 9_000_000, thresholdMs: 3_600_000 });
      expect(r.suggestedConfig).toBeNull();
    });

    it('fires at 1 hour and 1 ms', () => {
      const r = fired(stuckOpen(facts({ state: S.FORCED_OPEN, stateChangedAt: NOW - 3_600_001 }), T, NOW));
      expect(r.evidence.forcedOpenMs).toBe(3_600_001);
    });

    it('does not fire at exactly 1 hour', () => {
      expect(stuckOpen(facts({ state: S.FORCED_OPEN, stateChangedAt: NOW - 3_600_000 }), T, NOW)).toBeNull();
    });

    it('measures from the forcing, not from awaySince', () => {
      // Was OPEN for hours, forced open 30 minutes ago: the forced-open rule has not yet tripped.
      expect(
        stuckOpen(facts({ state: S.FORCED_OPEN, stateChangedAt: NOW - 30 * MIN, awaySince: NOW - 5 * HOUR }), T, NOW),
      ).toBeNull();
    });
  });

  it.each([S.CLOSED, S.DISABLED])('does not fire for %s, however long ago anything changed', (state) => {
    expect(
      stuckOpen(facts({ state, stateChangedAt: NOW - 100 * HOUR, awaySince: NOW - 100 * HOUR }), T, NOW),
    ).toBeNull();
  });

  it('uses the configured factor, floor and forced-open limit', () => {
    const custom = thresholds({ stuckOpenTimeoutFactor: 2, stuckOpenMinMs: MIN, forcedOpenMaxMs: 10 * MIN });
    // openTimeoutMs 30000: limit max(2 × 30000, 60000) = 60000.
    expect(stuckOpen(facts({ state: S.OPEN, awaySince: NOW - 60_000 }), custom, NOW)).toBeNull();
    const r = fired(stuckOpen(facts({ state: S.OPEN, awaySince: NOW - 60_001 }), custom, NOW));
    expect(r.evidence.thresholdMs).toBe(60_000);
    expect(r.message).toContain('2 ×');
    expect(stuckOpen(facts({ state: S.OPEN, awaySince: NOW - 60_001 }), T, NOW)).toBeNull();

    expect(stuckOpen(facts({ state: S.FORCED_OPEN, stateChangedAt: NOW - 10 * MIN }), custom, NOW)).toBeNull();
    expect(
      fired(stuckOpen(facts({ state: S.FORCED_OPEN, stateChangedAt: NOW - 10 * MIN - 1 }), custom, NOW)).evidence
        .thresholdMs,
    ).toBe(10 * MIN);
  });
});

describe('thresholdTooLax (THRESHOLD_TOO_LAX)', () => {
  const lax = (overrides: FactsOverrides = {}): BreakerFacts =>
    facts({ windowCalls: 100, windowFailures: 51, config: { failureThreshold: 20 }, ...overrides });

  it('fires when failures are more than 50% of at least 100 calls in CLOSED, never having left it', () => {
    const r = fired(thresholdTooLax(lax(), T, NOW));
    expect(r.kind).toBe(K.THRESHOLD_TOO_LAX);
    expect(r.severity).toBe(Severity.WARNING);
    expect(r.breakerName).toBe('payments');
    expect(r.message).toContain('"payments"');
    expect(r.message).toContain('51 failures in 100 calls');
    expect(r.message).toContain('51%');
    expect(r.message).toContain('last 1 h');
    expect(r.message).toContain('from 20 to 10');
    expect(r.evidence).toEqual({
      calls: 100,
      failures: 51,
      failureRatio: 0.51,
      windowMs: 3_600_000,
      failureThreshold: 20,
    });
    expect(r.suggestedConfig).toEqual({ failureThreshold: 10 });
  });

  it('does not fire at exactly 50%', () => {
    expect(thresholdTooLax(lax({ windowFailures: 50 }), T, NOW)).toBeNull();
    expect(thresholdTooLax(lax({ windowCalls: 1000, windowFailures: 500 }), T, NOW)).toBeNull();
    expect(fired(thresholdTooLax(lax({ windowCalls: 1000, windowFailures: 501 }), T, NOW)).evidence.failureRatio).toBe(
      0.501,
    );
  });

  it('does not fire at 99 calls, however many failed', () => {
    expect(thresholdTooLax(lax({ windowCalls: 99, windowFailures: 99 }), T, NOW)).toBeNull();
  });

  it('does not fire if the breaker left CLOSED in the window', () => {
    expect(thresholdTooLax(lax({ leftClosed: 1 }), T, NOW)).toBeNull();
  });

  it.each([S.OPEN, S.HALF_OPEN, S.FORCED_OPEN, S.DISABLED])('does not fire in %s', (state) => {
    expect(thresholdTooLax(lax({ state }), T, NOW)).toBeNull();
  });

  it.each<[number, number]>([
    [2, 1],
    [3, 2],
    [5, 3],
    [20, 10],
    [10_000, 5_000],
  ])('lowers failureThreshold %i to %i', (current, suggested) => {
    const r = fired(thresholdTooLax(lax({ config: { failureThreshold: current } }), T, NOW));
    expect(r.suggestedConfig).toEqual({ failureThreshold: suggested });
    expect(r.message).toContain(`from ${current} to ${suggested}`);
  });

  it('makes no recommendation when failureThreshold is already 1', () => {
    expect(thresholdTooLax(lax({ config: { failureThreshold: 1 } }), T, NOW)).toBeNull();
  });

  it('always suggests a valid value lower than the current one', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 10_000 }), (current) => {
        const r = fired(thresholdTooLax(lax({ config: { failureThreshold: current } }), T, NOW));
        const suggested = r.suggestedConfig?.failureThreshold as number;
        expect(Number.isInteger(suggested)).toBe(true);
        expect(suggested).toBeGreaterThanOrEqual(1);
        expect(suggested).toBeLessThan(current);
      }),
      { numRuns: 200 },
    );
  });

  it('uses the configured ratio, minimum calls and window', () => {
    const f = lax({ windowCalls: 20, windowFailures: 5 });
    expect(thresholdTooLax(f, T, NOW)).toBeNull();
    const custom = thresholds({ laxMinCalls: 20, laxFailureRatio: 0.2, windowMs: 10 * MIN });
    const r = fired(thresholdTooLax(f, custom, NOW));
    expect(r.message).toContain('5 failures in 20 calls');
    expect(r.message).toContain('25%');
    expect(r.message).toContain('10 min');
    expect(r.evidence.windowMs).toBe(10 * MIN);
    expect(thresholdTooLax(f, thresholds({ laxMinCalls: 21, laxFailureRatio: 0.2 }), NOW)).toBeNull();
    expect(thresholdTooLax(f, thresholds({ laxMinCalls: 20, laxFailureRatio: 0.25 }), NOW)).toBeNull();
  });
});

describe('FLAPPING and THRESHOLD_TOO_LAX in FAILURE_RATE mode: failureThreshold decides nothing there', () => {
  const rate = { tripOn: TripPolicy.FAILURE_RATE, failureRateThreshold: 40, minimumCalls: 500, windowMs: 30_000 };

  it('FLAPPING names the rate settings and suggests no failureThreshold', () => {
    const r = fired(flapping(facts({ openingsFromClosed: 6, config: rate }), T, NOW));
    expect(r.kind).toBe(K.FLAPPING);
    expect(r.severity).toBe(Severity.WARNING);
    expect(r.suggestedConfig).toBeNull();
    expect(r.message).toContain('opened 6 times from CLOSED in the last 1 h');
    expect(r.message).toContain('failureRateThreshold (40%)');
    expect(r.message).toContain('slowCallRateThreshold (100%)');
    expect(r.message).toContain('minimumCalls (500)');
    expect(r.message).toContain('windowMs (30000)');
    expect(r.message).not.toContain('failureThreshold from');
    expect(r.evidence).toEqual({
      openingsFromClosed: 6,
      windowMs: 3_600_000,
      tripOn: 'FAILURE_RATE',
      failureRateThreshold: 40,
      slowCallRateThreshold: 100,
      minimumCalls: 500,
      breakerWindowMs: 30_000,
    });
    expect(flapping(facts({ openingsFromClosed: 4, config: rate }), T, NOW)).toBeNull();
  });

  it('FLAPPING fires even at failureThreshold 10000, which does not matter in this mode', () => {
    expect(
      fired(flapping(facts({ openingsFromClosed: 5, config: { ...rate, failureThreshold: 10_000 } }), T, NOW)).kind,
    ).toBe(K.FLAPPING);
  });

  it('THRESHOLD_TOO_LAX names failureRateThreshold and minimumCalls against the calls a window held', () => {
    const r = fired(thresholdTooLax(facts({ windowCalls: 3600, windowFailures: 2000, config: rate }), T, NOW));
    expect(r.kind).toBe(K.THRESHOLD_TOO_LAX);
    expect(r.suggestedConfig).toBeNull();
    expect(r.message).toContain('2000 failures in 3600 calls (55.6%)');
    expect(r.message).toContain('failureRateThreshold (40%)');
    // 3600 calls an hour: a 30 s window holds 30 on average, far below minimumCalls 500.
    expect(r.message).toContain('minimumCalls (500) against the 30 calls its window of 30 s held on average');
    expect(r.message).not.toContain('Lower failureThreshold');
    expect(r.evidence).toEqual({
      calls: 3600,
      failures: 2000,
      failureRatio: 2000 / 3600,
      windowMs: 3_600_000,
      tripOn: 'FAILURE_RATE',
      failureRateThreshold: 40,
      minimumCalls: 500,
      breakerWindowMs: 30_000,
      callsPerBreakerWindow: 30,
    });
  });

  it('THRESHOLD_TOO_LAX keeps its boundaries in this mode, and fires even at failureThreshold 1', () => {
    const base = { windowCalls: 100, windowFailures: 51, config: rate };
    expect(fired(thresholdTooLax(facts({ ...base, config: { ...rate, failureThreshold: 1 } }), T, NOW)).kind).toBe(
      K.THRESHOLD_TOO_LAX,
    );
    expect(thresholdTooLax(facts({ ...base, windowFailures: 50 }), T, NOW)).toBeNull();
    expect(thresholdTooLax(facts({ ...base, windowCalls: 99, windowFailures: 99 }), T, NOW)).toBeNull();
    expect(thresholdTooLax(facts({ ...base, leftClosed: 1 }), T, NOW)).toBeNull();
  });
});

describe('slowCalls (SLOW_CALLS)', () => {
  /** 1000 timed calls, p50 120 ms, p99 843.75 ms, max 2.1 s. */
  const timed = (overrides: FactsOverrides = {}): BreakerFacts =>
    facts({
      windowCalls: 1200,
      windowTimedCalls: 1000,
      p50Ms: 120,
      p99Ms: 843.75,
      windowMaxMs: 2100,
      windowSlowCalls: 37,
      ...overrides,
    });

  describe('with slowCallDurationMs set', () => {
    const at500 = { slowCallDurationMs: 500 };

    it('fires when the p99 is above it, suggesting the p99 rounded up, with the figures', () => {
      const r = fired(slowCalls(timed({ config: at500 }), T, NOW));
      expect(r.kind).toBe(K.SLOW_CALLS);
      expect(r.severity).toBe(Severity.WARNING);
      expect(r.breakerName).toBe('payments');
      expect(r.message).toContain('"payments" is slow more than 1% of the time');
      expect(r.message).toContain('above slowCallDurationMs 500');
      expect(r.message).toContain('p50 120 ms, p99 844 ms, max 2.1 s, over 1000 timed calls in the last 1 h');
      expect(r.message).toContain('37 of them (3.7%) were slow');
      expect(r.message).toContain(
        'Either the dependency has slowed down, or the threshold sits inside its normal latency',
      );
      expect(r.message).toContain('set slowCallDurationMs to 850 (the p99, rounded up)');
      expect(r.suggestedConfig).toEqual({ slowCallDurationMs: 850 });
      expect(r.evidence).toEqual({
        p50Ms: 120,
        p99Ms: 843.75,
        maxMs: 2100,
        timedCalls: 1000,
        windowMs: 3_600_000,
        slowCalls: 37,
        slowCallRatio: 0.037,
        slowCallDurationMs: 500,
      });
    });

    it('does not fire when the p99 is at the threshold, and fires just above it', () => {
      expect(slowCalls(timed({ p99Ms: 500, config: at500 }), T, NOW)).toBeNull();
      expect(slowCalls(timed({ p99Ms: 400, config: at500 }), T, NOW)).toBeNull();
      const r = fired(slowCalls(timed({ p99Ms: 500.5, config: at500 }), T, NOW));
      expect(r.suggestedConfig).toEqual({ slowCallDurationMs: 510 });
    });

    it('needs 100 timed calls', () => {
      expect(slowCalls(timed({ windowTimedCalls: 99, config: at500 }), T, NOW)).toBeNull();
      expect(fired(slowCalls(timed({ windowTimedCalls: 100, config: at500 }), T, NOW)).evidence.timedCalls).toBe(100);
    });

    it('does not fire without percentiles', () => {
      expect(slowCalls(timed({ p50Ms: null, p99Ms: null, config: at500 }), T, NOW)).toBeNull();
    });

    it('keeps the suggestion within the 600000 ms limit, and suggests nothing when already at it', () => {
      const high = { slowCallDurationMs: 550_000 };
      expect(fired(slowCalls(timed({ p99Ms: 590_000, config: high }), T, NOW)).suggestedConfig).toEqual({
        slowCallDurationMs: 590_000,
      });
      expect(fired(slowCalls(timed({ p99Ms: 650_000, config: high }), T, NOW)).suggestedConfig).toEqual({
        slowCallDurationMs: 600_000,
      });
      const r = fired(slowCalls(timed({ p99Ms: 700_000, config: { slowCallDurationMs: 600_000 } }), T, NOW));
      expect(r.suggestedConfig).toBeNull();
      expect(r.message).toContain('cannot go higher than 600000');
    });

    it('suggests a valid value above the current one for any p99 above it, as a property', () => {
      fc.assert(
        fc.property(
          fc.integer({ min: 1, max: 600_000 }),
          fc.double({ min: 0, max: 10_000_000, noNaN: true }),
          (current, extra) => {
            const p99 = current + extra + 0.001;
            const r = fired(slowCalls(timed({ p99Ms: p99, config: { slowCallDurationMs: current } }), T, NOW));
            const { min, max } = CONFIG_LIMITS.slowCallDurationMs;
            if (r.suggestedConfig === null) {
              expect(current).toBe(max);
              return;
            }
            const suggested = r.suggestedConfig.slowCallDurationMs as number;
            expect(suggested).toBeGreaterThan(current);
            expect(suggested).toBeGreaterThanOrEqual(min);
            expect(suggested).toBeLessThanOrEqual(max);
            expect(suggested === max || suggested >= p99).toBe(true);
          },
        ),
        { numRuns: 300 },
      );
    });
  });

  describe('with slowCallDurationMs unset', () => {
    it('fires when p99 ≥ 5 × p50 and ≥ 100 ms, suggesting the p99 rounded up', () => {
      const r = fired(slowCalls(timed({ p50Ms: 120, p99Ms: 1234.5 }), T, NOW));
      expect(r.kind).toBe(K.SLOW_CALLS);
      expect(r.severity).toBe(Severity.INFO);
      expect(r.message).toContain('slow tail that nothing counts');
      expect(r.message).toContain('its p99 is 10.3 × its p50');
      expect(r.message).toContain('p50 120 ms, p99 1.2 s, max 2.1 s, over 1000 timed calls in the last 1 h');
      expect(r.message).toContain('slowCallDurationMs is unset');
      expect(r.message).toContain('Set slowCallDurationMs to 1300 (the p99, rounded up)');
      expect(r.message).toContain('in CONSECUTIVE_FAILURES mode a slow success counts as a failure');
      expect(r.suggestedConfig).toEqual({ slowCallDurationMs: 1300 });
      expect(r.evidence).toEqual({
        p50Ms: 120,
        p99Ms: 1234.5,
        maxMs: 2100,
        timedCalls: 1000,
        windowMs: 3_600_000,
        slowCallDurationMs: null,
        p99ToP50: 1234.5 / 120,
        tailFactor: 5,
        tailMinMs: 100,
      });
    });

    it('fires at exactly 5 × p50, not below', () => {
      expect(fired(slowCalls(timed({ p50Ms: 100, p99Ms: 500 }), T, NOW)).suggestedConfig).toEqual({
        slowCallDurationMs: 500,
      });
      expect(slowCalls(timed({ p50Ms: 100, p99Ms: 499.9 }), T, NOW)).toBeNull();
    });

    it('fires at exactly 100 ms, not below, however long the tail', () => {
      expect(slowCalls(timed({ p50Ms: 10, p99Ms: 99.9 }), T, NOW)).toBeNull();
      expect(fired(slowCalls(timed({ p50Ms: 10, p99Ms: 100 }), T, NOW)).suggestedConfig).toEqual({
        slowCallDurationMs: 100,
      });
    });

    it('needs 100 timed calls', () => {
      expect(slowCalls(timed({ windowTimedCalls: 99 }), T, NOW)).toBeNull();
    });

    it('says "far above" for a p50 of 0 ms', () => {
      const r = fired(slowCalls(timed({ p50Ms: 0, p99Ms: 200 }), T, NOW));
      expect(r.message).toContain('its p99 is far above its p50');
      expect(r.evidence.p99ToP50).toBeNull();
    });

    it('explains what slow means in FAILURE_RATE mode', () => {
      const r = fired(
        slowCalls(timed({ config: { tripOn: TripPolicy.FAILURE_RATE, slowCallRateThreshold: 30 } }), T, NOW),
      );
      expect(r.message).toContain('in FAILURE_RATE mode they trip it when they reach slowCallRateThreshold (30%)');
    });

    it('caps the suggestion at 600000 ms', () => {
      expect(fired(slowCalls(timed({ p50Ms: 1000, p99Ms: 900_000 }), T, NOW)).suggestedConfig).toEqual({
        slowCallDurationMs: 600_000,
      });
    });
  });

  it('uses the configured minimum, factor and floor', () => {
    const f = timed({ windowTimedCalls: 50, p50Ms: 100, p99Ms: 300 });
    expect(slowCalls(f, T, NOW)).toBeNull();
    expect(slowCalls(f, thresholds({ slowMinTimedCalls: 50 }), NOW)).toBeNull(); // 3 × p50 < 5 × p50
    const custom = thresholds({ slowMinTimedCalls: 50, slowTailFactor: 3, windowMs: 15 * MIN });
    const r = fired(slowCalls(f, custom, NOW));
    expect(r.message).toContain('last 15 min');
    expect(r.evidence).toMatchObject({ tailFactor: 3, windowMs: 15 * MIN });
    expect(slowCalls(f, thresholds({ slowMinTimedCalls: 50, slowTailFactor: 3, slowTailMinMs: 301 }), NOW)).toBeNull();
  });
});

describe('useFailureRate (USE_FAILURE_RATE)', () => {
  /** 3600 calls in the hour, 25% failed, 62% in its worst busy minute, never opened. */
  const busy = (overrides: FactsOverrides = {}): BreakerFacts =>
    facts({
      windowCalls: 3600,
      windowFailures: 900,
      activeMinutes: 60,
      medianMinuteCalls: 60,
      medianMinuteFailureRatio: 0.05,
      maxMinuteFailureRatio: 0.62,
      ...overrides,
    });

  it('fires for failures that never tripped it, suggesting FAILURE_RATE from its own data', () => {
    const r = fired(useFailureRate(busy(), T, NOW));
    expect(r.kind).toBe(K.USE_FAILURE_RATE);
    expect(r.severity).toBe(Severity.WARNING);
    expect(r.breakerName).toBe('payments');
    expect(r.message).toContain(
      '"payments" takes 3600 calls an hour in CONSECUTIVE_FAILURES mode (failureThreshold 5)',
    );
    expect(r.message).toContain('failed 62% of the calls in its worst minute (of at least 20 calls)');
    expect(r.message).toContain('and 25% over the last 1 h (900 of 3600) without ever opening');
    expect(r.message).toContain(
      'tripOn FAILURE_RATE, failureRateThreshold 20 (twice its median minute failure rate of 5%, within 20–50)',
    );
    expect(r.message).toContain('minimumCalls 10 (about 10 s of calls at its median 60 a minute, within 10–1000)');
    expect(r.message).toContain('windowMs 60000');
    expect(r.suggestedConfig).toEqual({
      tripOn: TripPolicy.FAILURE_RATE,
      failureRateThreshold: 20,
      minimumCalls: 10,
      windowMs: 60_000,
    });
    expect(r.evidence).toEqual({
      reason: 'FAILURES_UNNOTICED',
      callsPerHour: 3600,
      calls: 3600,
      failures: 900,
      failureRatio: 0.25,
      maxMinuteFailureRatio: 0.62,
      medianMinuteFailureRatio: 0.05,
      medianMinuteCalls: 60,
      activeMinutes: 60,
      openingsFromClosed: 0,
      failureThreshold: 5,
      windowMs: 3_600_000,
    });
  });

  it('fires at a worst minute of exactly 50%, not below', () => {
    expect(fired(useFailureRate(busy({ maxMinuteFailureRatio: 0.5 }), T, NOW)).kind).toBe(K.USE_FAILURE_RATE);
    expect(useFailureRate(busy({ maxMinuteFailureRatio: 0.4999 }), T, NOW)).toBeNull();
  });

  it('fires on the whole window at 50% without a busy minute, not below', () => {
    const quiet = { maxMinuteFailureRatio: null, medianMinuteCalls: 17, windowCalls: 1000 };
    const r = fired(useFailureRate(busy({ ...quiet, windowFailures: 500 }), T, NOW));
    expect(r.message).toContain('failed 50% over the last 1 h (500 of 1000) without ever opening');
    expect(r.message).not.toContain('worst minute');
    expect(r.evidence.maxMinuteFailureRatio).toBeNull();
    expect(useFailureRate(busy({ ...quiet, windowFailures: 499 }), T, NOW)).toBeNull();
  });

  it('needs 1000 calls an hour, scaling the window to an hour', () => {
    expect(useFailureRate(busy({ windowCalls: 999, windowFailures: 500 }), T, NOW)).toBeNull();
    expect(fired(useFailureRate(busy({ windowCalls: 1000, windowFailures: 500 }), T, NOW)).evidence.callsPerHour).toBe(
      1000,
    );
    const halfHour = thresholds({ windowMs: 30 * MIN });
    expect(useFailureRate(busy({ windowCalls: 499, windowFailures: 300 }), halfHour, NOW)).toBeNull();
    const r = fired(useFailureRate(busy({ windowCalls: 500, windowFailures: 300 }), halfHour, NOW));
    expect(r.evidence.callsPerHour).toBe(1000);
    expect(r.message).toContain('takes 1000 calls an hour');
    expect(r.message).toContain('over the last 30 min');
  });

  it('does not count failures as unnoticed once it left CLOSED, or while it is not CLOSED', () => {
    expect(useFailureRate(busy({ leftClosed: 1 }), T, NOW)).toBeNull();
    expect(useFailureRate(busy({ state: S.OPEN, awaySince: NOW - MIN }), T, NOW)).toBeNull();
    expect(useFailureRate(busy({ state: S.DISABLED }), T, NOW)).toBeNull();
  });

  it('fires when it flaps, from 5 openings from CLOSED, whatever its state', () => {
    const flappy = { maxMinuteFailureRatio: 0.3, windowFailures: 100, leftClosed: 5, openingsFromClosed: 5 };
    const r = fired(useFailureRate(busy({ ...flappy, state: S.OPEN, awaySince: NOW - 1000 }), T, NOW));
    expect(r.message).toContain('opened 5 times from CLOSED in the last 1 h');
    expect(r.message).not.toContain('without ever opening');
    expect(r.evidence).toMatchObject({ reason: 'FLAPPING', openingsFromClosed: 5 });
    expect(r.suggestedConfig).toEqual({
      tripOn: TripPolicy.FAILURE_RATE,
      failureRateThreshold: 20,
      minimumCalls: 10,
      windowMs: 60_000,
    });
    expect(useFailureRate(busy({ ...flappy, openingsFromClosed: 4, leftClosed: 4 }), T, NOW)).toBeNull();
    expect(
      fired(useFailureRate(busy({ ...flappy, openingsFromClosed: 3 }), thresholds({ flappingOpenings: 3 }), NOW)).kind,
    ).toBe(K.USE_FAILURE_RATE);
  });

  it('does not fire for a breaker already on FAILURE_RATE, or without calls', () => {
    expect(useFailureRate(busy({ config: { tripOn: TripPolicy.FAILURE_RATE } }), T, NOW)).toBeNull();
    expect(
      useFailureRate(
        busy({ openingsFromClosed: 9, leftClosed: 9, config: { tripOn: TripPolicy.FAILURE_RATE } }),
        T,
        NOW,
      ),
    ).toBeNull();
    expect(
      useFailureRate(busy({ windowCalls: 0, windowFailures: 0 }), thresholds({ rateMinCallsPerHour: 1 }), NOW),
    ).toBeNull();
  });

  it.each<[number, number]>([
    [0, 20],
    [0.05, 20],
    [0.1, 20],
    [0.101, 21],
    [0.123, 25],
    [0.14, 28],
    [0.2, 40],
    [0.25, 50],
    [0.3, 50],
    [1, 50],
  ])('suggests failureRateThreshold from a median minute failure rate of %p: %p', (median, threshold) => {
    expect(suggestedRate(median)).toBe(threshold);
    const r = fired(useFailureRate(busy({ medianMinuteFailureRatio: median }), T, NOW));
    expect(r.suggestedConfig?.failureRateThreshold).toBe(threshold);
  });

  it.each<[number, number]>([
    [1, 10],
    [17, 10],
    [60, 10],
    [63, 11],
    [600, 100],
    [5999, 1000],
    [6000, 1000],
    [60_000, 1000],
  ])('suggests minimumCalls from a median of %p calls a minute: %p', (calls, minimumCalls) => {
    expect(suggestedMinimumCalls(calls)).toBe(minimumCalls);
    const r = fired(useFailureRate(busy({ medianMinuteCalls: calls }), T, NOW));
    expect(r.suggestedConfig?.minimumCalls).toBe(minimumCalls);
  });

  it('uses the configured volume and ratio', () => {
    const f = busy({ windowCalls: 600, windowFailures: 100, maxMinuteFailureRatio: 0.45 });
    expect(useFailureRate(f, T, NOW)).toBeNull();
    expect(useFailureRate(f, thresholds({ rateMinCallsPerHour: 600 }), NOW)).toBeNull();
    const r = fired(useFailureRate(f, thresholds({ rateMinCallsPerHour: 600, rateFailureRatio: 0.45 }), NOW));
    expect(r.evidence.maxMinuteFailureRatio).toBe(0.45);
  });

  it('always suggests a config that validates over the current one, as a property', () => {
    fc.assert(
      fc.property(
        fc.option(fc.double({ min: 0, max: 1, noNaN: true })),
        fc.option(fc.double({ min: 1, max: 1_000_000, noNaN: true })),
        (median, calls) => {
          const r = fired(useFailureRate(busy({ medianMinuteFailureRatio: median, medianMinuteCalls: calls }), T, NOW));
          const merged = resolveConfig(r.suggestedConfig, CONFIG);
          expect(merged.tripOn).toBe(TripPolicy.FAILURE_RATE);
          expect(merged.failureRateThreshold).toBeGreaterThanOrEqual(20);
          expect(merged.failureRateThreshold).toBeLessThanOrEqual(50);
          expect(merged.minimumCalls).toBeGreaterThanOrEqual(10);
          expect(merged.minimumCalls).toBeLessThanOrEqual(1000);
          expect(merged.windowMs).toBe(60_000);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('recommend', () => {
  it('is empty for healthy facts', () => {
    expect(recommend([], T, NOW)).toEqual([]);
    expect(
      recommend([facts(), facts({ name: 'orders' }), facts({ name: 'search', state: S.DISABLED })], T, NOW),
    ).toEqual([]);
  });

  it('runs every rule', () => {
    expect(RULES).toHaveLength(8);
    expect(new Set(RULES)).toEqual(
      new Set([
        stuckOpen,
        repeatedFailedRecoveries,
        lowRecoveryRate,
        longRecoveryTime,
        flapping,
        thresholdTooLax,
        slowCalls,
        useFailureRate,
      ]),
    );
  });

  it('collects from all rules and sorts CRITICAL first, then by breaker name', () => {
    const input = [
      facts({ name: 'delta' }), // healthy: nothing
      facts({ name: 'gamma', successfulRecoveries: 0, failedRecoveries: 4, consecutiveFailedRecoveries: 4 }),
      facts({ name: 'alpha', openingsFromClosed: 6 }),
      facts({ name: 'beta', state: S.FORCED_OPEN, stateChangedAt: NOW - 2 * HOUR }),
      facts({ name: 'epsilon', averageRecoveryTimeMs: 90_000 }),
      facts({ name: 'zeta', windowCalls: 200, windowFailures: 150, config: { failureThreshold: 8 } }),
    ];
    const result = recommend(input, T, NOW);
    expect(result.map((r) => [r.severity, r.breakerName, r.kind])).toEqual([
      [Severity.CRITICAL, 'beta', K.STUCK_OPEN],
      [Severity.CRITICAL, 'gamma', K.LOW_RECOVERY_RATE],
      [Severity.WARNING, 'alpha', K.FLAPPING],
      [Severity.WARNING, 'epsilon', K.LONG_RECOVERY_TIME],
      [Severity.WARNING, 'gamma', K.REPEATED_FAILED_RECOVERIES],
      [Severity.WARNING, 'zeta', K.THRESHOLD_TOO_LAX],
    ]);
    // The same recommendations the rules make one by one.
    expect(result.find((r) => r.kind === K.THRESHOLD_TOO_LAX)?.suggestedConfig).toEqual({ failureThreshold: 4 });
    expect(result.find((r) => r.kind === K.FLAPPING)?.suggestedConfig).toEqual({ failureThreshold: 10 });
    // Input order does not matter.
    expect(recommend([...input].reverse(), T, NOW).map((r) => [r.breakerName, r.kind])).toEqual(
      result.map((r) => [r.breakerName, r.kind]),
    );
  });

  it('collects several recommendations for one breaker', () => {
    const f = facts({
      name: 'ledger',
      state: S.OPEN,
      awaySince: NOW - 3 * HOUR,
      successfulRecoveries: 1,
      failedRecoveries: 9,
      consecutiveFailedRecoveries: 3,
      averageRecoveryTimeMs: 70_000,
      openingsFromClosed: 5,
    });
    const result = recommend([f], T, NOW);
    expect(result.map((r) => r.kind).sort()).toEqual(
      [K.FLAPPING, K.LONG_RECOVERY_TIME, K.LOW_RECOVERY_RATE, K.REPEATED_FAILED_RECOVERIES, K.STUCK_OPEN].sort(),
    );
    expect(result.every((r) => r.breakerName === 'ledger')).toBe(true);
    // CRITICAL ones (stuck open, rate 10%) come before the WARNINGs.
    expect(result.map((r) => r.severity)).toEqual([
      Severity.CRITICAL,
      Severity.CRITICAL,
      Severity.WARNING,
      Severity.WARNING,
      Severity.WARNING,
    ]);
  });

  it('passes the thresholds and the clock to the rules', () => {
    const f = facts({ name: 'orders', state: S.OPEN, awaySince: NOW - 600_000, openingsFromClosed: 3 });
    expect(recommend([f], T, NOW)).toEqual([]);
    expect(recommend([f], T, NOW + 1).map((r) => r.kind)).toEqual([K.STUCK_OPEN]);
    expect(recommend([f], thresholds({ flappingOpenings: 3 }), NOW).map((r) => r.kind)).toEqual([K.FLAPPING]);
  });

  it('orders by severity and name for any input, as a property', () => {
    const rank = { CRITICAL: 0, WARNING: 1, INFO: 2 } as const;
    const factsArb = fc.record({
      name: fc.constantFrom('alpha', 'beta', 'gamma', 'delta', 'omega'),
      state: fc.constantFrom(S.CLOSED, S.OPEN, S.HALF_OPEN, S.FORCED_OPEN, S.DISABLED),
      ago: fc.integer({ min: 0, max: 5 * HOUR }),
      successfulRecoveries: fc.nat({ max: 20 }),
      failedRecoveries: fc.nat({ max: 20 }),
      consecutiveFailedRecoveries: fc.nat({ max: 8 }),
      averageRecoveryTimeMs: fc.nat({ max: 600_000 }),
      openingsFromClosed: fc.nat({ max: 10 }),
      windowCalls: fc.nat({ max: 300 }),
      failurePart: fc.double({ min: 0, max: 1, noNaN: true }),
    });
    fc.assert(
      fc.property(fc.array(factsArb, { maxLength: 6 }), (raw) => {
        const input = raw.map(({ ago, failurePart, ...r }) =>
          facts({
            ...r,
            stateChangedAt: NOW - ago,
            awaySince: r.state === S.CLOSED || r.state === S.DISABLED ? null : NOW - ago,
            windowFailures: Math.floor(r.windowCalls * failurePart),
          }),
        );
        const result = recommend(input, T, NOW);
        const expectedCount = input.reduce((n, f) => n + RULES.filter((rule) => rule(f, T, NOW) !== null).length, 0);
        expect(result).toHaveLength(expectedCount);
        for (let i = 1; i < result.length; i++) {
          const a = result[i - 1];
          const b = result[i];
          expect(rank[a.severity]).toBeLessThanOrEqual(rank[b.severity]);
          if (a.severity === b.severity) expect(a.breakerName.localeCompare(b.breakerName)).toBeLessThanOrEqual(0);
        }
      }),
      { numRuns: 200 },
    );
  });
});
