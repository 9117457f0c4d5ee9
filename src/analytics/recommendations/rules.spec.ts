import fc from 'fast-check';
import { BreakerConfig, BreakerState } from '../../breakers/engine';
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
import { thresholdTooLax } from './threshold-too-lax.rule';

/** The injected clock: every rule is given this instant, never the real one. */
const NOW = 1_700_000_000_000;
const MIN = 60_000;
const HOUR = 3_600_000;
const S = BreakerState;
const T = DEFAULT_THRESHOLDS;

const CONFIG: BreakerConfig = {
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

describe('recommend', () => {
  it('is empty for healthy facts', () => {
    expect(recommend([], T, NOW)).toEqual([]);
    expect(
      recommend([facts(), facts({ name: 'orders' }), facts({ name: 'search', state: S.DISABLED })], T, NOW),
    ).toEqual([]);
  });

  it('runs every rule', () => {
    expect(RULES).toHaveLength(6);
    expect(new Set(RULES)).toEqual(
      new Set([stuckOpen, repeatedFailedRecoveries, lowRecoveryRate, longRecoveryTime, flapping, thresholdTooLax]),
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
