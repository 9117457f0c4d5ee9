import fc from 'fast-check';
import { BreakerState } from '../breakers/engine';
import { grade, GradingInput, overallHealth, recoveryRate, stateCap, statusCounts, statusForRate } from './grading';
import { HEALTH_ORDER, HealthStatus, worse } from './health-status';

const H = HealthStatus;
const S = BreakerState;
const ALL_STATES = [S.CLOSED, S.OPEN, S.HALF_OPEN, S.FORCED_OPEN, S.DISABLED] as const;

/** How bad a status is: 0 HEALTHY … 3 CRITICAL. */
const badness = (s: HealthStatus): number => HEALTH_ORDER.indexOf(s);

/** A breaker whose recoveries all concluded within the health window, unless told otherwise. */
function input(overrides: Partial<GradingInput> = {}): GradingInput {
  const base = { state: S.CLOSED, successfulRecoveries: 0, failedRecoveries: 0, totalRecoveryTimeMs: 0, ...overrides };
  return {
    windowSuccessfulRecoveries: base.successfulRecoveries,
    windowFailedRecoveries: base.failedRecoveries,
    ...base,
  };
}

describe('health-status', () => {
  it('orders statuses best first', () => {
    expect(HEALTH_ORDER).toEqual([H.HEALTHY, H.DEGRADED, H.UNHEALTHY, H.CRITICAL]);
  });

  it('worse() picks the worse of two, either way round', () => {
    expect(worse(H.HEALTHY, H.CRITICAL)).toBe(H.CRITICAL);
    expect(worse(H.CRITICAL, H.HEALTHY)).toBe(H.CRITICAL);
    expect(worse(H.DEGRADED, H.UNHEALTHY)).toBe(H.UNHEALTHY);
    expect(worse(H.UNHEALTHY, H.DEGRADED)).toBe(H.UNHEALTHY);
    expect(worse(H.DEGRADED, H.DEGRADED)).toBe(H.DEGRADED);
  });
});

describe('recoveryRate', () => {
  it('is 1.0 while no recovery attempt has concluded', () => {
    expect(recoveryRate(0, 0)).toBe(1);
  });

  it('is successful over concluded attempts, as an exact fraction', () => {
    expect(recoveryRate(1, 0)).toBe(1);
    expect(recoveryRate(0, 1)).toBe(0);
    expect(recoveryRate(1, 1)).toBe(0.5);
    expect(recoveryRate(3, 1)).toBe(0.75);
    expect(recoveryRate(9, 1)).toBe(0.9);
    expect(recoveryRate(7, 3)).toBe(0.7);
    expect(recoveryRate(1, 2)).toBeCloseTo(1 / 3, 15);
    expect(recoveryRate(2, 3)).toBe(0.4);
  });
});

describe('statusForRate', () => {
  it.each<[number, HealthStatus]>([
    [1, H.HEALTHY],
    [0.95, H.HEALTHY],
    [0.9, H.HEALTHY],
    [0.8999999999, H.DEGRADED],
    [0.9 - Number.EPSILON, H.DEGRADED],
    [0.8, H.DEGRADED],
    [0.7, H.DEGRADED],
    [0.6999999999, H.UNHEALTHY],
    [0.7 - Number.EPSILON, H.UNHEALTHY],
    [0.6, H.UNHEALTHY],
    [0.5, H.UNHEALTHY],
    [0.4999999999, H.CRITICAL],
    [0.5 - Number.EPSILON, H.CRITICAL],
    [0.25, H.CRITICAL],
    [0, H.CRITICAL],
  ])('rate %p is %s', (rate, expected) => {
    expect(statusForRate(rate)).toBe(expected);
  });
});

describe('stateCap', () => {
  it.each<[BreakerState, HealthStatus]>([
    [S.CLOSED, H.HEALTHY],
    [S.DISABLED, H.HEALTHY],
    [S.HALF_OPEN, H.DEGRADED],
    [S.OPEN, H.UNHEALTHY],
    [S.FORCED_OPEN, H.UNHEALTHY],
  ])('%s is capped at %s', (state, cap) => {
    expect(stateCap(state)).toBe(cap);
  });
});

describe('grade', () => {
  describe('rate boundaries through real ratios (CLOSED, uncapped)', () => {
    it.each<[number, number, number, HealthStatus]>([
      [9, 1, 0.9, H.HEALTHY],
      [89, 11, 0.89, H.DEGRADED],
      [7, 3, 0.7, H.DEGRADED],
      [69, 31, 0.69, H.UNHEALTHY],
      [1, 1, 0.5, H.UNHEALTHY],
      [49, 51, 0.49, H.CRITICAL],
      [0, 4, 0, H.CRITICAL],
    ])('%i ok / %i failed → rate %p, %s', (ok, failed, rate, status) => {
      const g = grade(input({ successfulRecoveries: ok, failedRecoveries: failed }));
      expect(g.recoveryRate).toBe(rate);
      expect(g.status).toBe(status);
    });

    it('is HEALTHY with rate 1.0 when no attempt has concluded', () => {
      expect(grade(input())).toEqual({ status: H.HEALTHY, recoveryRate: 1, lifetimeRecoveryRate: 1, averageDowntimeMs: 0 });
    });
  });

  describe('the health window', () => {
    it('rests the status on the recoveries concluded in the window, not the lifetime ones', () => {
      // Four failed recoveries last month, none since: HEALTHY again, the lifetime rate kept beside.
      const old = input({ failedRecoveries: 4, windowFailedRecoveries: 0 });
      expect(grade(old)).toMatchObject({ status: H.HEALTHY, recoveryRate: 1, lifetimeRecoveryRate: 0 });
      // Good for years, bad today: CRITICAL now.
      const today = input({ successfulRecoveries: 1000, failedRecoveries: 3, windowFailedRecoveries: 3, windowSuccessfulRecoveries: 1 });
      expect(grade(today)).toMatchObject({ status: H.CRITICAL, recoveryRate: 0.25 });
      expect(grade(today).lifetimeRecoveryRate).toBeCloseTo(1000 / 1003, 12);
    });

    it('still applies the state caps with no recovery in the window', () => {
      expect(grade(input({ state: S.OPEN, failedRecoveries: 9, windowFailedRecoveries: 0 })).status).toBe(H.UNHEALTHY);
    });
  });

  describe('statusCounts', () => {
    it('counts each status, and zero for the others', () => {
      expect(statusCounts([H.HEALTHY, H.CRITICAL, H.HEALTHY, H.DEGRADED])).toEqual({
        healthy: 2,
        degraded: 1,
        unhealthy: 0,
        critical: 1,
      });
      expect(statusCounts([])).toEqual({ healthy: 0, degraded: 0, unhealthy: 0, critical: 0 });
    });
  });

  describe('state caps', () => {
    it.each([S.OPEN, S.FORCED_OPEN])('%s is at best UNHEALTHY, even with rate 1.0', (state) => {
      expect(grade(input({ state })).status).toBe(H.UNHEALTHY);
      const g = grade(input({ state, successfulRecoveries: 10, totalRecoveryTimeMs: 5000 }));
      expect(g).toEqual({ status: H.UNHEALTHY, recoveryRate: 1, lifetimeRecoveryRate: 1, averageDowntimeMs: 500 });
    });

    it.each([S.OPEN, S.FORCED_OPEN])('%s caps a DEGRADED rate at UNHEALTHY', (state) => {
      expect(grade(input({ state, successfulRecoveries: 7, failedRecoveries: 3 })).status).toBe(H.UNHEALTHY);
    });

    it('HALF_OPEN is at best DEGRADED', () => {
      expect(grade(input({ state: S.HALF_OPEN })).status).toBe(H.DEGRADED);
      expect(grade(input({ state: S.HALF_OPEN, successfulRecoveries: 9, failedRecoveries: 1 })).status).toBe(
        H.DEGRADED,
      );
    });

    it.each([S.CLOSED, S.DISABLED])('%s is not capped', (state) => {
      expect(grade(input({ state, successfulRecoveries: 9, failedRecoveries: 1 })).status).toBe(H.HEALTHY);
      expect(grade(input({ state })).status).toBe(H.HEALTHY);
    });

    it('a cap never improves a worse rate-based status', () => {
      // CRITICAL (rate 0.4) stays CRITICAL in every state.
      for (const state of ALL_STATES) {
        expect(grade(input({ state, successfulRecoveries: 2, failedRecoveries: 3 })).status).toBe(H.CRITICAL);
      }
      // UNHEALTHY (rate 0.5) stays UNHEALTHY in HALF_OPEN, whose cap is DEGRADED.
      expect(grade(input({ state: S.HALF_OPEN, successfulRecoveries: 1, failedRecoveries: 1 })).status).toBe(
        H.UNHEALTHY,
      );
      // DEGRADED (rate 0.7) stays DEGRADED in HALF_OPEN.
      expect(grade(input({ state: S.HALF_OPEN, successfulRecoveries: 7, failedRecoveries: 3 })).status).toBe(
        H.DEGRADED,
      );
    });
  });

  describe('averageDowntimeMs', () => {
    it('is the total recovery time over successful recoveries', () => {
      expect(grade(input({ successfulRecoveries: 4, totalRecoveryTimeMs: 10_000 })).averageDowntimeMs).toBe(2500);
      expect(grade(input({ successfulRecoveries: 3, totalRecoveryTimeMs: 1000 })).averageDowntimeMs).toBeCloseTo(
        333.333333,
        5,
      );
    });

    it('ignores failed recoveries', () => {
      expect(
        grade(input({ successfulRecoveries: 2, failedRecoveries: 8, totalRecoveryTimeMs: 3000 })).averageDowntimeMs,
      ).toBe(1500);
    });

    it('is 0 without any successful recovery', () => {
      expect(grade(input({ failedRecoveries: 5 })).averageDowntimeMs).toBe(0);
      expect(grade(input({ totalRecoveryTimeMs: 1234 })).averageDowntimeMs).toBe(0);
    });
  });

  describe('properties', () => {
    const inputArb = fc.record({
      state: fc.constantFrom(...ALL_STATES),
      successfulRecoveries: fc.nat({ max: 10_000 }),
      failedRecoveries: fc.nat({ max: 10_000 }),
      totalRecoveryTimeMs: fc.nat({ max: 1_000_000_000 }),
      windowSuccessfulRecoveries: fc.nat({ max: 10_000 }),
      windowFailedRecoveries: fc.nat({ max: 10_000 }),
    });

    it('an OPEN or FORCED_OPEN breaker is never HEALTHY or DEGRADED', () => {
      fc.assert(
        fc.property(
          inputArb.filter((i) => i.state === S.OPEN || i.state === S.FORCED_OPEN),
          (i) => {
            const { status } = grade(i);
            expect([H.UNHEALTHY, H.CRITICAL]).toContain(status);
          },
        ),
        { numRuns: 500 },
      );
    });

    it('a HALF_OPEN breaker is never HEALTHY', () => {
      fc.assert(
        fc.property(
          inputArb.map((i) => ({ ...i, state: S.HALF_OPEN })),
          (i) => {
            expect(grade(i).status).not.toBe(H.HEALTHY);
          },
        ),
        { numRuns: 300 },
      );
    });

    it('status is never better than statusForRate(rate), and is exactly the worse of rate and cap', () => {
      fc.assert(
        fc.property(inputArb, (i) => {
          const g = grade(i);
          expect(g.recoveryRate).toBe(recoveryRate(i.windowSuccessfulRecoveries, i.windowFailedRecoveries));
          expect(g.lifetimeRecoveryRate).toBe(recoveryRate(i.successfulRecoveries, i.failedRecoveries));
          expect(g.recoveryRate).toBeGreaterThanOrEqual(0);
          expect(g.recoveryRate).toBeLessThanOrEqual(1);
          expect(badness(g.status)).toBeGreaterThanOrEqual(badness(statusForRate(g.recoveryRate)));
          expect(badness(g.status)).toBeGreaterThanOrEqual(badness(stateCap(i.state)));
          expect(badness(g.status)).toBe(Math.max(badness(statusForRate(g.recoveryRate)), badness(stateCap(i.state))));
        }),
        { numRuns: 500 },
      );
    });

    it('a ratio exactly on a boundary lands on the better side, at any scale', () => {
      fc.assert(
        fc.property(fc.integer({ min: 1, max: 100_000 }), (k) => {
          expect(grade(input({ successfulRecoveries: 9 * k, failedRecoveries: k })).status).toBe(H.HEALTHY);
          expect(grade(input({ successfulRecoveries: 7 * k, failedRecoveries: 3 * k })).status).toBe(H.DEGRADED);
          expect(grade(input({ successfulRecoveries: k, failedRecoveries: k })).status).toBe(H.UNHEALTHY);
        }),
        { numRuns: 200 },
      );
    });
  });
});

describe('overallHealth', () => {
  it('is HEALTHY when there are no breakers', () => {
    expect(overallHealth([])).toBe(H.HEALTHY);
  });

  it('is the worst status of any breaker', () => {
    expect(overallHealth([H.HEALTHY])).toBe(H.HEALTHY);
    expect(overallHealth([H.HEALTHY, H.DEGRADED, H.HEALTHY])).toBe(H.DEGRADED);
    expect(overallHealth([H.UNHEALTHY, H.HEALTHY, H.DEGRADED])).toBe(H.UNHEALTHY);
    expect(overallHealth([H.HEALTHY, H.CRITICAL, H.DEGRADED, H.UNHEALTHY])).toBe(H.CRITICAL);
    expect(overallHealth([H.CRITICAL, H.HEALTHY])).toBe(H.CRITICAL);
  });

  it('accepts any iterable', () => {
    expect(overallHealth(new Set([H.DEGRADED, H.HEALTHY]))).toBe(H.DEGRADED);
    function* gen(): Generator<HealthStatus> {
      yield H.HEALTHY;
      yield H.UNHEALTHY;
    }
    expect(overallHealth(gen())).toBe(H.UNHEALTHY);
  });

  it('is the worst, as a property', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...HEALTH_ORDER), { maxLength: 20 }), (statuses) => {
        const expected = statuses.length === 0 ? H.HEALTHY : HEALTH_ORDER[Math.max(...statuses.map(badness))];
        expect(overallHealth(statuses)).toBe(expected);
      }),
      { numRuns: 300 },
    );
  });
});
