import { resolve } from 'node:path';

/** The application's settings, read once from the environment and validated. */
export interface AppConfig {
  readonly nodeEnv: string;
  readonly port: number;
  readonly host: string;
  /** A Postgres connection string; null runs the embedded PGlite database under `dataDir`. */
  readonly databaseUrl: string | null;
  readonly dataDir: string;
  /** Connections in the pool for an external Postgres (the embedded database always uses one). */
  readonly databasePoolSize: number;
  /** How often each instance looks for OPEN breakers whose open period is over. */
  readonly halfOpenSweepIntervalMs: number;
  /** Events a subscriber may fall behind by before it is disconnected. */
  readonly subscriberQueueLimit: number;
}

/** A setting that is missing or malformed; the message names the variable. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

type Env = Readonly<Record<string, string | undefined>>;

/** Reads and validates the configuration; throws ConfigError naming the first bad variable. */
export function loadConfig(env: Env = process.env): AppConfig {
  const databaseUrl = optional(env, 'DATABASE_URL');
  if (databaseUrl !== null && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new ConfigError(`DATABASE_URL must start with postgres:// or postgresql://, got "${redact(databaseUrl)}"`);
  }
  return {
    nodeEnv: optional(env, 'NODE_ENV') ?? 'development',
    port: integer(env, 'PORT', 3000, 0, 65535),
    host: optional(env, 'HOST') ?? '0.0.0.0',
    databaseUrl,
    dataDir: resolve(optional(env, 'DATA_DIR') ?? './data'),
    databasePoolSize: integer(env, 'DATABASE_POOL_SIZE', 10, 1, 1000),
    halfOpenSweepIntervalMs: integer(env, 'HALF_OPEN_SWEEP_INTERVAL_MS', 200, 10, 500),
    subscriberQueueLimit: integer(env, 'SUBSCRIBER_QUEUE_LIMIT', 1000, 1, 1_000_000),
  };
}

function optional(env: Env, name: string): string | null {
  const value = env[name]?.trim();
  return value ? value : null;
}

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = optional(env, name);
  if (raw === null) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name} must be a whole number from ${min} to ${max}, got "${raw}"`);
  }
  return value;
}

/** Hides the password of a connection string, for messages and logs. */
export function redact(url: string): string {
  return url.replace(/(\/\/[^:/@]+:)[^@]*@/, '$1***@');
}
