import fc from 'fast-check';
import {
  BreakerConfig,
  BreakerConfigPatch,
  CONFIG_LIMITS,
  configsEqual,
  DEFAULT_CONFIG,
  InvalidConfigError,
  isSlowCall,
  resolveConfig,
  TripPolicy,
  validateConfig,
} from './breaker-config';

const DAY_MS = 86_400_000;

/** Calls `fn` and returns the InvalidConfigError it throws; fails the test when it throws nothing or something else. */
function configError(fn: () => unknown): InvalidConfigError {
  let caught: unknown = undefined;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(InvalidConfigError);
  return caught as InvalidConfigError;
}

/** A config with every setting off its default, slow calls on. */
const BASE: BreakerConfig = Object.freeze({
  failureThreshold: 7,
  openTimeoutMs: 2000,
  maxOpenTimeoutMs: 9000,
  halfOpenMaxCalls: 3,
  successThreshold: 2,
  tripOn: TripPolicy.FAILURE_RATE,
  windowMs: 30_000,
  windowBuckets: 6,
  minimumCalls: 40,
  failureRateThreshold: 25.5,
  slowCallDurationMs: 750,
  slowCallRateThreshold: 80,
  permitTimeoutMs: 5000,
});

describe('resolveConfig defaults', () => {
  const DEFAULTS: BreakerConfig = {
    failureThreshold: 5,
    openTimeoutMs: 30_000,
    maxOpenTimeoutMs: 60_000,
    halfOpenMaxCalls: 1,
    successThreshold: 1,
    tripOn: TripPolicy.CONSECUTIVE_FAILURES,
    windowMs: 60_000,
    windowBuckets: 10,
    minimumCalls: 20,
    failureRateThreshold: 50,
    slowCallDurationMs: null,
    slowCallRateThreshold: 100,
    permitTimeoutMs: 30_000,
  };

  it.each([
    ['undefined', undefined],
    ['null', null],
    ['an empty patch', {}],
    [
      'a patch of nulls',
      {
        failureThreshold: null,
        openTimeoutMs: null,
        maxOpenTimeoutMs: null,
        halfOpenMaxCalls: null,
        successThreshold: null,
        tripOn: null,
        windowMs: null,
        windowBuckets: null,
        minimumCalls: null,
        failureRateThreshold: null,
        slowCallDurationMs: null,
        slowCallRateThreshold: null,
        permitTimeoutMs: null,
      },
    ],
    ['a patch of undefineds', { failureThreshold: undefined, openTimeoutMs: undefined }],
  ])('gives the defaults for %s', (_name, patch) => {
    expect(resolveConfig(patch as BreakerConfigPatch | null | undefined)).toEqual(DEFAULTS);
  });

  it('exports the documented defaults and limits', () => {
    expect(DEFAULT_CONFIG).toEqual({
      failureThreshold: 5,
      openTimeoutMs: 30_000,
      halfOpenMaxCalls: 1,
      successThreshold: 1,
      tripOn: TripPolicy.CONSECUTIVE_FAILURES,
      windowMs: 60_000,
      windowBuckets: 10,
      minimumCalls: 20,
      failureRateThreshold: 50,
      slowCallDurationMs: null,
      slowCallRateThreshold: 100,
      permitTimeoutMs: 30_000,
    });
    expect(CONFIG_LIMITS).toEqual({
      failureThreshold: { min: 1, max: 10_000 },
      openTimeoutMs: { min: 100, max: DAY_MS },
      maxOpenTimeoutMs: { max: 7 * DAY_MS },
      halfOpenMaxCalls: { min: 1, max: 1000 },
      successThreshold: { min: 1, max: 1000 },
      windowMs: { min: 1000, max: 3_600_000 },
      windowBuckets: { min: 1, max: 60 },
      minimumCalls: { min: 1, max: 100_000 },
      failureRateThreshold: { above: 0, max: 100 },
      slowCallDurationMs: { min: 1, max: 600_000 },
      slowCallRateThreshold: { above: 0, max: 100 },
      permitTimeoutMs: { min: 100, max: 600_000 },
    });
  });

  it('defaults maxOpenTimeoutMs to 2 × an explicit openTimeoutMs', () => {
    expect(resolveConfig({ openTimeoutMs: 1234 })).toEqual({
      ...DEFAULTS,
      openTimeoutMs: 1234,
      maxOpenTimeoutMs: 2468,
    });
    expect(resolveConfig({ openTimeoutMs: 100 }).maxOpenTimeoutMs).toBe(200);
    expect(resolveConfig({ openTimeoutMs: DAY_MS }).maxOpenTimeoutMs).toBe(2 * DAY_MS);
  });

  it('keeps an explicit maxOpenTimeoutMs', () => {
    expect(resolveConfig({ openTimeoutMs: 1000, maxOpenTimeoutMs: 1000 }).maxOpenTimeoutMs).toBe(1000);
    expect(resolveConfig({ openTimeoutMs: 1000, maxOpenTimeoutMs: 7 * DAY_MS }).maxOpenTimeoutMs).toBe(7 * DAY_MS);
  });

  it('takes each patched field and the defaults for the rest', () => {
    expect(resolveConfig({ failureThreshold: 9 })).toEqual({ ...DEFAULTS, failureThreshold: 9 });
    expect(resolveConfig({ halfOpenMaxCalls: 4 })).toEqual({ ...DEFAULTS, halfOpenMaxCalls: 4 });
    expect(resolveConfig({ successThreshold: 3 })).toEqual({ ...DEFAULTS, successThreshold: 3 });
    expect(resolveConfig({ maxOpenTimeoutMs: 45_000 })).toEqual({ ...DEFAULTS, maxOpenTimeoutMs: 45_000 });
    expect(resolveConfig({ tripOn: TripPolicy.FAILURE_RATE })).toEqual({
      ...DEFAULTS,
      tripOn: TripPolicy.FAILURE_RATE,
    });
    expect(resolveConfig({ windowMs: 5000 })).toEqual({ ...DEFAULTS, windowMs: 5000 });
    expect(resolveConfig({ windowBuckets: 4 })).toEqual({ ...DEFAULTS, windowBuckets: 4 });
    expect(resolveConfig({ minimumCalls: 7 })).toEqual({ ...DEFAULTS, minimumCalls: 7 });
    expect(resolveConfig({ failureRateThreshold: 12.5 })).toEqual({ ...DEFAULTS, failureRateThreshold: 12.5 });
    expect(resolveConfig({ slowCallDurationMs: 250 })).toEqual({ ...DEFAULTS, slowCallDurationMs: 250 });
    expect(resolveConfig({ slowCallRateThreshold: 60 })).toEqual({ ...DEFAULTS, slowCallRateThreshold: 60 });
    expect(resolveConfig({ permitTimeoutMs: 900 })).toEqual({ ...DEFAULTS, permitTimeoutMs: 900 });
  });

  it('the patch leaves openTimeoutMs and permitTimeoutMs independent', () => {
    const config = resolveConfig({ openTimeoutMs: 200 });
    expect(config.permitTimeoutMs).toBe(30_000);
    expect(resolveConfig({ permitTimeoutMs: 100 }).openTimeoutMs).toBe(30_000);
  });
});

describe('resolveConfig ranges', () => {
  type Field =
    | 'failureThreshold'
    | 'openTimeoutMs'
    | 'halfOpenMaxCalls'
    | 'successThreshold'
    | 'windowMs'
    | 'windowBuckets'
    | 'minimumCalls'
    | 'permitTimeoutMs';
  /** The whole-number settings with a closed range (openTimeoutMs's cap is its own case below). */
  const ranges: [Field, number, number][] = [
    ['failureThreshold', 1, 10_000],
    ['openTimeoutMs', 100, DAY_MS],
    ['halfOpenMaxCalls', 1, 1000],
    ['successThreshold', 1, 1000],
    ['windowMs', 1000, 3_600_000],
    ['windowBuckets', 1, 60],
    ['minimumCalls', 1, 100_000],
    ['permitTimeoutMs', 100, 600_000],
  ];

  it.each(ranges)('%s accepts its minimum %d and maximum %d', (field, min, max) => {
    expect(resolveConfig({ [field]: min })[field]).toBe(min);
    expect(resolveConfig({ [field]: max })[field]).toBe(max);
  });

  it.each(ranges)('%s rejects min - 1 and max + 1 (min %d, max %d), naming the field', (field, min, max) => {
    for (const value of [min - 1, max + 1]) {
      const error = configError(() => resolveConfig({ [field]: value }));
      expect(error.field).toBe(field);
      expect(error.name).toBe('InvalidConfigError');
      expect(error).toBeInstanceOf(Error);
      expect(error.message).toContain(field);
      expect(error.message).toContain(String(value));
    }
  });

  it.each(ranges)('%s rejects 0 and negative values', (field) => {
    expect(configError(() => resolveConfig({ [field]: 0 })).field).toBe(field);
    expect(configError(() => resolveConfig({ [field]: -5 })).field).toBe(field);
  });

  it('maxOpenTimeoutMs accepts exactly openTimeoutMs and exactly 7 days', () => {
    expect(resolveConfig({ openTimeoutMs: 5000, maxOpenTimeoutMs: 5000 }).maxOpenTimeoutMs).toBe(5000);
    expect(resolveConfig({ openTimeoutMs: DAY_MS, maxOpenTimeoutMs: 7 * DAY_MS }).maxOpenTimeoutMs).toBe(7 * DAY_MS);
  });

  it('maxOpenTimeoutMs below openTimeoutMs or above 7 days is rejected with field maxOpenTimeoutMs', () => {
    expect(configError(() => resolveConfig({ openTimeoutMs: 5000, maxOpenTimeoutMs: 4999 })).field).toBe(
      'maxOpenTimeoutMs',
    );
    expect(configError(() => resolveConfig({ maxOpenTimeoutMs: 7 * DAY_MS + 1 })).field).toBe('maxOpenTimeoutMs');
    // the default openTimeoutMs (30 s) is the lower bound when only the cap is given
    expect(configError(() => resolveConfig({ maxOpenTimeoutMs: 29_999 })).field).toBe('maxOpenTimeoutMs');
    expect(resolveConfig({ maxOpenTimeoutMs: 30_000 }).maxOpenTimeoutMs).toBe(30_000);
  });

  type WholeField = Field | 'maxOpenTimeoutMs';
  const allFields: WholeField[] = [
    'failureThreshold',
    'openTimeoutMs',
    'maxOpenTimeoutMs',
    'halfOpenMaxCalls',
    'successThreshold',
    'windowMs',
    'windowBuckets',
    'minimumCalls',
    'permitTimeoutMs',
  ];
  /** For each field, a value inside its range apart from being fractional, so that only the whole-number rule rejects it. */
  const fractional: Record<WholeField, number> = {
    failureThreshold: 2.5,
    openTimeoutMs: 1000.5,
    maxOpenTimeoutMs: 60_000.5,
    halfOpenMaxCalls: 2.5,
    successThreshold: 2.5,
    windowMs: 5000.5,
    windowBuckets: 2.5,
    minimumCalls: 2.5,
    permitTimeoutMs: 1000.5,
  };
  const cases = allFields.flatMap((field) =>
    (
      [
        ['a fraction', fractional[field]],
        ['NaN', Number.NaN],
        ['Infinity', Number.POSITIVE_INFINITY],
        ['-Infinity', Number.NEGATIVE_INFINITY],
      ] as const
    ).map(([name, value]) => [field, name, value] as const),
  );

  it.each(cases)('%s: rejects %s (%d), naming the field', (field, _name, value) => {
    const error = configError(() => resolveConfig({ [field]: value }));
    expect(error.field).toBe(field);
    expect(error.message).toContain('whole number');
  });

  it('reports the first offending field in order', () => {
    expect(configError(() => resolveConfig({ successThreshold: 0, failureThreshold: 0 })).field).toBe(
      'failureThreshold',
    );
    expect(configError(() => resolveConfig({ successThreshold: 0, halfOpenMaxCalls: 0 })).field).toBe(
      'halfOpenMaxCalls',
    );
    expect(configError(() => resolveConfig({ permitTimeoutMs: 0, windowMs: 0, minimumCalls: 0 })).field).toBe(
      'windowMs',
    );
    expect(configError(() => resolveConfig({ permitTimeoutMs: 0, slowCallRateThreshold: 0 })).field).toBe(
      'slowCallRateThreshold',
    );
  });
});

describe('resolveConfig: the percentages', () => {
  const percents = ['failureRateThreshold', 'slowCallRateThreshold'] as const;

  it.each(percents)('%s accepts anything above 0 up to 100, fractions included', (field) => {
    for (const value of [0.001, 1, 33.3, 50, 99.99, 100]) expect(resolveConfig({ [field]: value })[field]).toBe(value);
  });

  it.each(percents)('%s rejects 0, negatives, above 100 and non-finite values, naming the field', (field) => {
    for (const value of [0, -1, 100.0001, 101, Number.NaN, Number.POSITIVE_INFINITY]) {
      const error = configError(() => resolveConfig({ [field]: value }));
      expect(error.field).toBe(field);
      expect(error.message).toContain('percentage');
      expect(error.message).toContain(String(value));
    }
  });
});

describe('resolveConfig: slowCallDurationMs', () => {
  it('is off (null) by default, and accepts 1 to 600000 ms, fractions included', () => {
    expect(resolveConfig({}).slowCallDurationMs).toBeNull();
    for (const value of [1, 1.5, 250, 600_000])
      expect(resolveConfig({ slowCallDurationMs: value }).slowCallDurationMs).toBe(value);
  });

  it('rejects values out of range or not finite, naming the field', () => {
    for (const value of [0, 0.99, -5, 600_000.5, 600_001, Number.NaN, Number.POSITIVE_INFINITY]) {
      const error = configError(() => resolveConfig({ slowCallDurationMs: value }));
      expect(error.field).toBe('slowCallDurationMs');
      expect(error.message).toContain(String(value));
    }
  });

  it('an explicit null turns slow calls off over a base that has them; a patch leaving it out keeps them', () => {
    expect(BASE.slowCallDurationMs).toBe(750);
    expect(resolveConfig({ slowCallDurationMs: null }, BASE)).toEqual({ ...BASE, slowCallDurationMs: null });
    expect(resolveConfig({ failureThreshold: 2 }, BASE).slowCallDurationMs).toBe(750);
    expect(resolveConfig({ slowCallDurationMs: undefined }, BASE).slowCallDurationMs).toBe(750);
    expect(resolveConfig({ slowCallDurationMs: 20 }, BASE).slowCallDurationMs).toBe(20);
  });
});

describe('resolveConfig: tripOn', () => {
  it('accepts both policies and rejects anything else, naming the field', () => {
    expect(resolveConfig({ tripOn: TripPolicy.FAILURE_RATE }).tripOn).toBe('FAILURE_RATE');
    expect(resolveConfig({ tripOn: TripPolicy.CONSECUTIVE_FAILURES }, BASE).tripOn).toBe('CONSECUTIVE_FAILURES');
    const error = configError(() => resolveConfig({ tripOn: 'SOMETIMES' as TripPolicy }));
    expect(error.field).toBe('tripOn');
    expect(error.message).toContain('CONSECUTIVE_FAILURES, FAILURE_RATE');
  });
});

describe('resolveConfig over a base config', () => {
  it('keeps every base setting that the patch leaves out (or sets to null)', () => {
    expect(resolveConfig({}, BASE)).toEqual(BASE);
    expect(resolveConfig(null, BASE)).toEqual(BASE);
    expect(resolveConfig({ failureThreshold: null, maxOpenTimeoutMs: null }, BASE)).toEqual(BASE);
    // every setting but slowCallDurationMs (where null means off) keeps its value on null
    expect(
      resolveConfig(
        {
          tripOn: null,
          windowMs: null,
          windowBuckets: null,
          minimumCalls: null,
          failureRateThreshold: null,
          slowCallRateThreshold: null,
          permitTimeoutMs: null,
        },
        BASE,
      ),
    ).toEqual(BASE);
  });

  it('applies the patched settings', () => {
    expect(resolveConfig({ failureThreshold: 2, successThreshold: 4 }, BASE)).toEqual({
      ...BASE,
      failureThreshold: 2,
      successThreshold: 4,
    });
    expect(resolveConfig({ halfOpenMaxCalls: 10 }, BASE)).toEqual({ ...BASE, halfOpenMaxCalls: 10 });
  });

  it('keeps the base cap when only openTimeoutMs changes (no 2x default for an existing breaker)', () => {
    expect(resolveConfig({ openTimeoutMs: 3000 }, BASE)).toEqual({
      ...BASE,
      openTimeoutMs: 3000,
      maxOpenTimeoutMs: 9000,
    });
    expect(resolveConfig({ openTimeoutMs: 9000 }, BASE).maxOpenTimeoutMs).toBe(9000);
    // raising openTimeoutMs above the kept cap is invalid
    expect(configError(() => resolveConfig({ openTimeoutMs: 9001 }, BASE)).field).toBe('maxOpenTimeoutMs');
    // unless the cap is raised too
    expect(resolveConfig({ openTimeoutMs: 9001, maxOpenTimeoutMs: 20_000 }, BASE)).toEqual({
      ...BASE,
      openTimeoutMs: 9001,
      maxOpenTimeoutMs: 20_000,
    });
  });

  it('validates the merged result', () => {
    expect(configError(() => resolveConfig({ maxOpenTimeoutMs: 1999 }, BASE)).field).toBe('maxOpenTimeoutMs');
    expect(configError(() => resolveConfig({ halfOpenMaxCalls: 1001 }, BASE)).field).toBe('halfOpenMaxCalls');
  });

  it('does not mutate the base or the patch', () => {
    const patch = Object.freeze({ failureThreshold: 3 });
    const result = resolveConfig(patch, BASE);
    expect(result).not.toBe(BASE);
    expect(BASE.failureThreshold).toBe(7);
    expect(patch).toEqual({ failureThreshold: 3 });
  });
});

describe('validateConfig and configsEqual', () => {
  it('validateConfig accepts a valid config and rejects an invalid one', () => {
    expect(() => validateConfig(BASE)).not.toThrow();
    expect(configError(() => validateConfig({ ...BASE, maxOpenTimeoutMs: 1000 })).field).toBe('maxOpenTimeoutMs');
    expect(configError(() => validateConfig({ ...BASE, successThreshold: 0 })).field).toBe('successThreshold');
  });

  it('configsEqual compares every setting', () => {
    expect(configsEqual(BASE, { ...BASE })).toBe(true);
    const other = (key: keyof BreakerConfig): unknown =>
      key === 'tripOn' ? TripPolicy.CONSECUTIVE_FAILURES : (BASE[key] as number) + 1;
    for (const key of Object.keys(BASE) as (keyof BreakerConfig)[]) {
      expect(configsEqual(BASE, { ...BASE, [key]: other(key) })).toBe(false);
    }
    expect(configsEqual(BASE, { ...BASE, slowCallDurationMs: null })).toBe(false);
    expect(Object.keys(BASE)).toHaveLength(13);
  });

  it('any in-range patch resolves to a config that validates and holds the patched values', () => {
    const patchArb = fc.record(
      {
        failureThreshold: fc.integer({ min: 1, max: 10_000 }),
        openTimeoutMs: fc.integer({ min: 100, max: DAY_MS }),
        halfOpenMaxCalls: fc.integer({ min: 1, max: 1000 }),
        successThreshold: fc.integer({ min: 1, max: 1000 }),
        tripOn: fc.constantFrom(TripPolicy.CONSECUTIVE_FAILURES, TripPolicy.FAILURE_RATE),
        windowMs: fc.integer({ min: 1000, max: 3_600_000 }),
        windowBuckets: fc.integer({ min: 1, max: 60 }),
        minimumCalls: fc.integer({ min: 1, max: 100_000 }),
        failureRateThreshold: fc.double({ min: 0.001, max: 100, noNaN: true }),
        slowCallDurationMs: fc.option(fc.double({ min: 1, max: 600_000, noNaN: true })),
        slowCallRateThreshold: fc.double({ min: 0.001, max: 100, noNaN: true }),
        permitTimeoutMs: fc.integer({ min: 100, max: 600_000 }),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(patchArb, (patch) => {
        const config = resolveConfig(patch);
        validateConfig(config);
        for (const [key, value] of Object.entries(patch)) expect(config[key as keyof BreakerConfig]).toBe(value);
        expect(config.maxOpenTimeoutMs).toBe(2 * config.openTimeoutMs);
        expect(resolveConfig({}, config)).toEqual(config);
      }),
      { numRuns: 300 },
    );
  });
});

describe('isSlowCall', () => {
  it('is a duration at or above slowCallDurationMs; never without one, or with slow calls off', () => {
    const config = resolveConfig({ slowCallDurationMs: 200 });
    expect(isSlowCall(config, 200)).toBe(true);
    expect(isSlowCall(config, 5000)).toBe(true);
    expect(isSlowCall(config, 199.9)).toBe(false);
    expect(isSlowCall(config, 0)).toBe(false);
    expect(isSlowCall(config, null)).toBe(false);
    expect(isSlowCall(config, undefined)).toBe(false);
    expect(isSlowCall(resolveConfig({}), 1e9)).toBe(false);
  });
});
