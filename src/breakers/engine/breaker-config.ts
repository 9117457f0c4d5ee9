/** What trips a CLOSED breaker. */
export enum TripPolicy {
  /** `failureThreshold` failures in a row (a slow success counts as a failure when `slowCallDurationMs` is set). */
  CONSECUTIVE_FAILURES = 'CONSECUTIVE_FAILURES',
  /** The failure rate or the slow-call rate over a sliding window of `windowMs`, once it holds `minimumCalls`. */
  FAILURE_RATE = 'FAILURE_RATE',
}

/** The settings of one breaker. All durations are milliseconds; rates and thresholds are percent. */
export interface BreakerConfig {
  /** Consecutive failures that open a CLOSED breaker (CONSECUTIVE_FAILURES). */
  readonly failureThreshold: number;
  /** The first open period. */
  readonly openTimeoutMs: number;
  /** Cap of the open period as it doubles after failed recoveries. */
  readonly maxOpenTimeoutMs: number;
  /** Trial permits outstanding at once in HALF_OPEN. */
  readonly halfOpenMaxCalls: number;
  /** Successful trials in HALF_OPEN that close the breaker. */
  readonly successThreshold: number;
  readonly tripOn: TripPolicy;
  /** The sliding window's length (FAILURE_RATE). */
  readonly windowMs: number;
  /** The window is this many equal buckets; the oldest drops out whole. */
  readonly windowBuckets: number;
  /** Fewer calls than this in the window never trip (FAILURE_RATE). */
  readonly minimumCalls: number;
  /** Trips when failures × 100 ≥ this × calls (FAILURE_RATE). */
  readonly failureRateThreshold: number;
  /** A call at least this long is slow; null: no call is slow. */
  readonly slowCallDurationMs: number | null;
  /** Trips when slow calls × 100 ≥ this × calls (FAILURE_RATE, with `slowCallDurationMs` set). */
  readonly slowCallRateThreshold: number;
  /** A trial permit not settled by then expires. */
  readonly permitTimeoutMs: number;
}

/**
 * Settings to change. A setting left out (or null) keeps its value, or takes the default on
 * registration, except `slowCallDurationMs`, where an explicit null turns slow calls off.
 */
export type BreakerConfigPatch = {
  readonly [K in keyof BreakerConfig]?: (BreakerConfig[K] extends TripPolicy ? TripPolicy : number) | null;
};

const DAY_MS = 86_400_000;

export const CONFIG_LIMITS = {
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
} as const;

export const DEFAULT_CONFIG = {
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
} as const;

/** A setting outside its valid range; `field` names the offending setting. */
export class InvalidConfigError extends Error {
  constructor(
    readonly field: keyof BreakerConfig,
    message: string,
  ) {
    super(message);
    this.name = 'InvalidConfigError';
  }
}

/**
 * Merges a patch over a base config (or the defaults) and validates the result.
 * Without an explicit `maxOpenTimeoutMs`, a new breaker gets 2 × `openTimeoutMs`,
 * capped at the 7-day limit; an existing breaker keeps its cap.
 */
export function resolveConfig(patch: BreakerConfigPatch | null | undefined, base?: BreakerConfig): BreakerConfig {
  const p = patch ?? {};
  const d = base ?? DEFAULT_CONFIG;
  const openTimeoutMs = pick(p.openTimeoutMs, d.openTimeoutMs);
  const defaultMax = Math.min(2 * openTimeoutMs, CONFIG_LIMITS.maxOpenTimeoutMs.max);
  const config: BreakerConfig = {
    failureThreshold: pick(p.failureThreshold, d.failureThreshold),
    openTimeoutMs,
    maxOpenTimeoutMs: pick(p.maxOpenTimeoutMs, base?.maxOpenTimeoutMs ?? defaultMax),
    halfOpenMaxCalls: pick(p.halfOpenMaxCalls, d.halfOpenMaxCalls),
    successThreshold: pick(p.successThreshold, d.successThreshold),
    tripOn: pick(p.tripOn, d.tripOn),
    windowMs: pick(p.windowMs, d.windowMs),
    windowBuckets: pick(p.windowBuckets, d.windowBuckets),
    minimumCalls: pick(p.minimumCalls, d.minimumCalls),
    failureRateThreshold: pick(p.failureRateThreshold, d.failureRateThreshold),
    // An explicit null turns slow calls off; left out, the setting is kept.
    slowCallDurationMs: p.slowCallDurationMs === undefined ? d.slowCallDurationMs : p.slowCallDurationMs,
    slowCallRateThreshold: pick(p.slowCallRateThreshold, d.slowCallRateThreshold),
    permitTimeoutMs: pick(p.permitTimeoutMs, d.permitTimeoutMs),
  };
  validateConfig(config);
  return config;
}

/** Throws InvalidConfigError for the first setting out of range, in the order of `BreakerConfig`. */
export function validateConfig(config: BreakerConfig): void {
  const L = CONFIG_LIMITS;
  checkInteger(config, 'failureThreshold', L.failureThreshold);
  checkInteger(config, 'openTimeoutMs', L.openTimeoutMs);
  checkInteger(config, 'maxOpenTimeoutMs', { min: config.openTimeoutMs, max: L.maxOpenTimeoutMs.max });
  checkInteger(config, 'halfOpenMaxCalls', L.halfOpenMaxCalls);
  checkInteger(config, 'successThreshold', L.successThreshold);
  if (!Object.values(TripPolicy).includes(config.tripOn)) {
    throw new InvalidConfigError('tripOn', `tripOn must be one of ${Object.values(TripPolicy).join(', ')}`);
  }
  checkInteger(config, 'windowMs', L.windowMs);
  checkInteger(config, 'windowBuckets', L.windowBuckets);
  checkInteger(config, 'minimumCalls', L.minimumCalls);
  checkPercent(config, 'failureRateThreshold');
  if (config.slowCallDurationMs !== null) {
    const value = config.slowCallDurationMs;
    const { min, max } = L.slowCallDurationMs;
    if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
      throw new InvalidConfigError(
        'slowCallDurationMs',
        `slowCallDurationMs must be between ${min} and ${max}, or null for no slow calls, got ${value}`,
      );
    }
  }
  checkPercent(config, 'slowCallRateThreshold');
  checkInteger(config, 'permitTimeoutMs', L.permitTimeoutMs);
}

function pick<T>(value: T | null | undefined, fallback: T): T {
  return value === undefined || value === null ? fallback : value;
}

type NumericField = {
  [K in keyof BreakerConfig]: BreakerConfig[K] extends number ? K : never;
}[keyof BreakerConfig];

function checkInteger(config: BreakerConfig, field: NumericField, range: { min: number; max: number }): void {
  const value = config[field];
  if (typeof value !== 'number' || !Number.isFinite(value) || !Number.isInteger(value)) {
    throw new InvalidConfigError(field, `${field} must be a whole number, got ${value}`);
  }
  if (value < range.min || value > range.max) {
    throw new InvalidConfigError(field, `${field} must be between ${range.min} and ${range.max}, got ${value}`);
  }
}

function checkPercent(config: BreakerConfig, field: 'failureRateThreshold' | 'slowCallRateThreshold'): void {
  const value = config[field];
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || value > 100) {
    throw new InvalidConfigError(field, `${field} must be a percentage above 0 and at most 100, got ${value}`);
  }
}

export function configsEqual(a: BreakerConfig, b: BreakerConfig): boolean {
  return (
    a.failureThreshold === b.failureThreshold &&
    a.openTimeoutMs === b.openTimeoutMs &&
    a.maxOpenTimeoutMs === b.maxOpenTimeoutMs &&
    a.halfOpenMaxCalls === b.halfOpenMaxCalls &&
    a.successThreshold === b.successThreshold &&
    a.tripOn === b.tripOn &&
    a.windowMs === b.windowMs &&
    a.windowBuckets === b.windowBuckets &&
    a.minimumCalls === b.minimumCalls &&
    a.failureRateThreshold === b.failureRateThreshold &&
    a.slowCallDurationMs === b.slowCallDurationMs &&
    a.slowCallRateThreshold === b.slowCallRateThreshold &&
    a.permitTimeoutMs === b.permitTimeoutMs
  );
}

/** Whether a call of this duration is slow under `config`. A call without a duration never is. */
export function isSlowCall(config: BreakerConfig, durationMs: number | null | undefined): boolean {
  return config.slowCallDurationMs !== null && durationMs !== undefined && durationMs !== null
    ? durationMs >= config.slowCallDurationMs
    : false;
}
