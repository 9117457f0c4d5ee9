import fc from 'fast-check';
import {
  BreakerConfig,
  BreakerConfigPatch,
  CONFIG_LIMITS,
  configsEqual,
  DEFAULT_CONFIG,
  InvalidConfigError,
  resolveConfig,
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

const BASE: BreakerConfig = Object.freeze({
  failureThreshold: 7,
  openTimeoutMs: 2000,
  maxOpenTimeoutMs: 9000,
  halfOpenMaxCalls: 3,
  successThreshold: 2,
});

describe('resolveConfig defaults', () => {
  const DEFAULTS: BreakerConfig = {
    failureThreshold: 5,
    openTimeoutMs: 30_000,
    maxOpenTimeoutMs: 60_000,
    halfOpenMaxCalls: 1,
    successThreshold: 1,
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
      },
    ],
    ['a patch of undefineds', { failureThreshold: undefined, openTimeoutMs: undefined }],
  ])('gives (5, 30000, 60000, 1, 1) for %s', (_name, patch) => {
    expect(resolveConfig(patch as BreakerConfigPatch | null | undefined)).toEqual(DEFAULTS);
  });

  it('exports the documented defaults and limits', () => {
    expect(DEFAULT_CONFIG).toEqual({
      failureThreshold: 5,
      openTimeoutMs: 30_000,
      halfOpenMaxCalls: 1,
      successThreshold: 1,
    });
    expect(CONFIG_LIMITS).toEqual({
      failureThreshold: { min: 1, max: 10_000 },
      openTimeoutMs: { min: 100, max: DAY_MS },
      maxOpenTimeoutMs: { max: 7 * DAY_MS },
      halfOpenMaxCalls: { min: 1, max: 1000 },
      successThreshold: { min: 1, max: 1000 },
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
  });
});

describe('resolveConfig ranges', () => {
  type Field = 'failureThreshold' | 'openTimeoutMs' | 'halfOpenMaxCalls' | 'successThreshold';
  const ranges: [Field, number, number][] = [
    ['failureThreshold', 1, 10_000],
    ['openTimeoutMs', 100, DAY_MS],
    ['halfOpenMaxCalls', 1, 1000],
    ['successThreshold', 1, 1000],
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

  const allFields: (keyof BreakerConfig)[] = [
    'failureThreshold',
    'openTimeoutMs',
    'maxOpenTimeoutMs',
    'halfOpenMaxCalls',
    'successThreshold',
  ];
  /** For each field, a value inside its range apart from being fractional, so that only the whole-number rule rejects it. */
  const fractional: Record<keyof BreakerConfig, number> = {
    failureThreshold: 2.5,
    openTimeoutMs: 1000.5,
    maxOpenTimeoutMs: 60_000.5,
    halfOpenMaxCalls: 2.5,
    successThreshold: 2.5,
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
  });
});

describe('resolveConfig over a base config', () => {
  it('keeps every base setting that the patch leaves out (or sets to null)', () => {
    expect(resolveConfig({}, BASE)).toEqual(BASE);
    expect(resolveConfig(null, BASE)).toEqual(BASE);
    expect(resolveConfig({ failureThreshold: null, maxOpenTimeoutMs: null }, BASE)).toEqual(BASE);
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
    for (const key of Object.keys(BASE) as (keyof BreakerConfig)[]) {
      expect(configsEqual(BASE, { ...BASE, [key]: BASE[key] + 1 })).toBe(false);
    }
  });

  it('any in-range patch resolves to a config that validates and holds the patched values', () => {
    const patchArb = fc.record(
      {
        failureThreshold: fc.integer({ min: 1, max: 10_000 }),
        openTimeoutMs: fc.integer({ min: 100, max: DAY_MS }),
        halfOpenMaxCalls: fc.integer({ min: 1, max: 1000 }),
        successThreshold: fc.integer({ min: 1, max: 1000 }),
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
