/** The settings of one breaker. All durations are milliseconds. */
export interface BreakerConfig {
  /** Consecutive failures that open a CLOSED breaker. */
  readonly failureThreshold: number;
  /** The first open period. */
  readonly openTimeoutMs: number;
  /** Cap of the open period as it doubles after failed recoveries. */
  readonly maxOpenTimeoutMs: number;
  /** Trial permits outstanding at once in HALF_OPEN. */
  readonly halfOpenMaxCalls: number;
  /** Successful trials in HALF_OPEN that close the breaker. */
  readonly successThreshold: number;
}

export type BreakerConfigPatch = { readonly [K in keyof BreakerConfig]?: number | null };

const DAY_MS = 86_400_000;

export const CONFIG_LIMITS = {
  failureThreshold: { min: 1, max: 10_000 },
  openTimeoutMs: { min: 100, max: DAY_MS },
  maxOpenTimeoutMs: { max: 7 * DAY_MS },
  halfOpenMaxCalls: { min: 1, max: 1000 },
  successThreshold: { min: 1, max: 1000 },
} as const;

export const DEFAULT_CONFIG = {
  failureThreshold: 5,
  openTimeoutMs: 30_000,
  halfOpenMaxCalls: 1,
  successThreshold: 1,
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
  const openTimeoutMs = pick(p.openTimeoutMs, base?.openTimeoutMs ?? DEFAULT_CONFIG.openTimeoutMs);
  const defaultMax = Math.min(2 * openTimeoutMs, CONFIG_LIMITS.maxOpenTimeoutMs.max);
  const config: BreakerConfig = {
    failureThreshold: pick(p.failureThreshold, base?.failureThreshold ?? DEFAULT_CONFIG.failureThreshold),
    openTimeoutMs,
    maxOpenTimeoutMs: pick(p.maxOpenTimeoutMs, base?.maxOpenTimeoutMs ?? defaultMax),
    halfOpenMaxCalls: pick(p.halfOpenMaxCalls, base?.halfOpenMaxCalls ?? DEFAULT_CONFIG.halfOpenMaxCalls),
    successThreshold: pick(p.successThreshold, base?.successThreshold ?? DEFAULT_CONFIG.successThreshold),
  };
  validateConfig(config);
  return config;
}

/** Throws InvalidConfigError for the first setting out of range. */
export function validateConfig(config: BreakerConfig): void {
  checkInteger(config, 'failureThreshold', CONFIG_LIMITS.failureThreshold);
  checkInteger(config, 'openTimeoutMs', CONFIG_LIMITS.openTimeoutMs);
  checkInteger(config, 'maxOpenTimeoutMs', {
    min: config.openTimeoutMs,
    max: CONFIG_LIMITS.maxOpenTimeoutMs.max,
  });
  checkInteger(config, 'halfOpenMaxCalls', CONFIG_LIMITS.halfOpenMaxCalls);
  checkInteger(config, 'successThreshold', CONFIG_LIMITS.successThreshold);
}

function pick(value: number | null | undefined, fallback: number): number {
  return value === undefined || value === null ? fallback : value;
}

function checkInteger(config: BreakerConfig, field: keyof BreakerConfig, range: { min: number; max: number }): void {
  const value = config[field];
  if (!Number.isFinite(value) || !Number.isInteger(value)) {
    throw new InvalidConfigError(field, `${field} must be a whole number, got ${value}`);
  }
  if (value < range.min || value > range.max) {
    throw new InvalidConfigError(field, `${field} must be between ${range.min} and ${range.max}, got ${value}`);
  }
}

export function configsEqual(a: BreakerConfig, b: BreakerConfig): boolean {
  return (
    a.failureThreshold === b.failureThreshold &&
    a.openTimeoutMs === b.openTimeoutMs &&
    a.maxOpenTimeoutMs === b.maxOpenTimeoutMs &&
    a.halfOpenMaxCalls === b.halfOpenMaxCalls &&
    a.successThreshold === b.successThreshold
  );
}
