import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { DEFAULT_THRESHOLDS, RecommendationThresholds } from './recommendation-thresholds';

/** The application's settings, read once from the environment and validated. */
export interface AppConfig {
  readonly nodeEnv: string;
  readonly port: number;
  readonly host: string;
  /** A Postgres connection string; null runs the embedded PGlite database under `dataDir`. */
  readonly databaseUrl: string | null;
  readonly dataDir: string;
  /** The built dashboard (index.html and assets/), served at `/`. */
  readonly dashboardDir: string;
  /** Connections in the pool for an external Postgres (the embedded database always uses one). */
  readonly databasePoolSize: number;
  /** What Postgres itself enforces on every statement of the app's pool. */
  readonly databaseTimeouts: DatabaseTimeouts;
  /** How often each instance looks for OPEN breakers whose open period is over. */
  readonly halfOpenSweepIntervalMs: number;
  /** Events a subscriber may fall behind by before it is disconnected. */
  readonly subscriberQueueLimit: number;
  /** How long a subscriber closed for being slow gets to read up to the close frame before it is dropped. */
  readonly subscriberCloseGraceMs: number;
  /** Outcomes that may wait, per instance, for the write path; past it recordOutcomes answers SERVICE_UNAVAILABLE. */
  readonly outcomeQueueLimit: number;
  /**
   * Outcome-batch transactions one instance runs at once (OUTCOME_GROUPS_IN_FLIGHT), kept below
   * the pool size so that other work keeps a connection; always 1 on the embedded database.
   */
  readonly outcomeGroupsInFlight: number;
  readonly analytics: AnalyticsConfig;
  readonly retention: RetentionConfig;
  readonly auth: AuthConfig;
  readonly observability: ObservabilityConfig;
  readonly limits: LimitsConfig;
}

/** Server-side limits, in milliseconds; 0 turns one off. */
export interface DatabaseTimeouts {
  /** statement_timeout: Postgres cancels a statement that runs longer. */
  readonly statementTimeoutMs: number;
  /** lock_timeout: a statement gives up waiting for a lock (rows, advisory locks) after this long. */
  readonly lockTimeoutMs: number;
}

export interface ObservabilityConfig {
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** GET /metrics: served at all, and whether it needs `Authorization: Bearer <metricsToken>`. */
  readonly metricsEnabled: boolean;
  readonly metricsToken: string | null;
  /** Serve /metrics without a token even in production, where it otherwise needs one. */
  readonly metricsPublic: boolean;
}

export interface LimitsConfig {
  /** Operations per minute per API key, on each instance. */
  readonly rateLimitPerMinute: number;
  readonly maxQueryDepth: number;
  readonly maxAliases: number;
  /** Estimated fields a query may resolve, lists counted by their page size. */
  readonly maxQueryCost: number;
  /** Breakers the platform holds at most; registering past it is refused. */
  readonly maxBreakers: number;
  /** registerBreaker calls per minute per non-admin API key, on each instance. */
  readonly registrationsPerKeyPerMinute: number;
  /** Directives written in one document. */
  readonly maxDirectives: number;
  /** The largest graphql-ws message; a bigger frame closes the socket (1009) before it is read. */
  readonly wsMaxPayloadBytes: number;
  /** How long a graphql-ws socket may stay open without sending connection_init (then 4408). */
  readonly wsConnectionInitTimeoutMs: number;
  /** How often graphql-ws pings each socket; one that has not answered by the next ping is dropped. */
  readonly wsKeepAliveMs: number;
}

export interface AuthConfig {
  /** A key to make sure exists, with the ADMIN role; the way to bootstrap a cluster's first admin. */
  readonly adminApiKey: string | null;
  /** `lastUsedAt` is written at most this often per key. */
  readonly touchIntervalMs: number;
  /** Failed authentications per minute per client address, past which it gets 429 before any lookup. */
  readonly failuresPerMinute: number;
  /** Active keys kept in memory (0: none), and for how long, so that a valid key costs no lookup per request. */
  readonly keyCacheSize: number;
  readonly keyCacheTtlMs: number;
}

/** The retention job: how often it runs, and how many rows one of its statements deletes. */
export interface RetentionConfig {
  readonly intervalMs: number;
  readonly batchRows: number;
}

export interface AnalyticsConfig {
  /** How often the cluster regrades every breaker (one instance at a time). */
  readonly recomputeIntervalMs: number;
  /** Grades count the recoveries concluded within this long before the run. */
  readonly healthWindowMs: number;
  /** A breaker whose grade and rate did not change gets a snapshot at most this often (0: every run). */
  readonly snapshotEveryMs: number;
  readonly snapshotRetentionDays: number;
  readonly eventRetentionDays: number;
  readonly bucketRetentionDays: number;
  readonly thresholds: RecommendationThresholds;
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
  const databasePoolSize = integer(env, 'DATABASE_POOL_SIZE', 10, 1, 1000);
  const groupsInFlight = integer(env, 'OUTCOME_GROUPS_IN_FLIGHT', 2, 1, 16);
  return {
    nodeEnv: optional(env, 'NODE_ENV') ?? 'development',
    port: integer(env, 'PORT', 3000, 0, 65535),
    host: optional(env, 'HOST') ?? '0.0.0.0',
    databaseUrl,
    dataDir: resolve(optional(env, 'DATA_DIR') ?? './data'),
    dashboardDir: resolve(optional(env, 'DASHBOARD_DIR') ?? defaultDashboardDir()),
    databasePoolSize,
    databaseTimeouts: {
      statementTimeoutMs: integer(env, 'DATABASE_STATEMENT_TIMEOUT_MS', 3000, 100, 3_600_000),
      lockTimeoutMs: integer(env, 'DATABASE_LOCK_TIMEOUT_MS', 2000, 10, 3_600_000),
    },
    halfOpenSweepIntervalMs: integer(env, 'HALF_OPEN_SWEEP_INTERVAL_MS', 200, 10, 500),
    subscriberQueueLimit: integer(env, 'SUBSCRIBER_QUEUE_LIMIT', 1000, 1, 1_000_000),
    subscriberCloseGraceMs: integer(env, 'SUBSCRIBER_CLOSE_GRACE_MS', 10_000, 100, 600_000),
    // At least one full batch (10,000 outcomes) must fit.
    outcomeQueueLimit: integer(env, 'OUTCOME_QUEUE_LIMIT', 100_000, 10_000, 10_000_000),
    outcomeGroupsInFlight: databaseUrl === null ? 1 : Math.max(1, Math.min(groupsInFlight, databasePoolSize - 1)),
    analytics: loadAnalytics(env),
    retention: {
      intervalMs: integer(env, 'RETENTION_INTERVAL_MS', 60_000, 1000, DAY_MS),
      batchRows: integer(env, 'RETENTION_BATCH_ROWS', 5000, 100, 1_000_000),
    },
    auth: loadAuth(env),
    observability: loadObservability(env),
    limits: {
      rateLimitPerMinute: integer(env, 'RATE_LIMIT_PER_MINUTE', 60_000, 1, 100_000_000),
      maxQueryDepth: integer(env, 'MAX_QUERY_DEPTH', 12, 2, 100),
      maxAliases: integer(env, 'MAX_QUERY_ALIASES', 100, 1, 10_000),
      maxQueryCost: integer(env, 'MAX_QUERY_COST', 50_000, 100, 10_000_000),
      maxBreakers: integer(env, 'MAX_BREAKERS', 10_000, 1, 1_000_000),
      registrationsPerKeyPerMinute: integer(env, 'REGISTRATIONS_PER_KEY_PER_MINUTE', 600, 1, 1_000_000),
      maxDirectives: integer(env, 'MAX_QUERY_DIRECTIVES', 50, 1, 10_000),
      wsMaxPayloadBytes: integer(env, 'WS_MAX_PAYLOAD_BYTES', 1_048_576, 1024, 104_857_600),
      wsConnectionInitTimeoutMs: integer(env, 'WS_CONNECTION_INIT_TIMEOUT_MS', 3000, 100, 60_000),
      wsKeepAliveMs: integer(env, 'WS_KEEPALIVE_MS', 12_000, 1000, 600_000),
    },
  };
}

function loadObservability(env: Env): ObservabilityConfig {
  return {
    logLevel: oneOf(env, 'LOG_LEVEL', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const, 'info'),
    metricsEnabled: flag(env, 'METRICS_ENABLED', true),
    metricsToken: optional(env, 'METRICS_TOKEN'),
    metricsPublic: flag(env, 'METRICS_PUBLIC', false),
  };
}

function flag(env: Env, name: string, fallback: boolean): boolean {
  return oneOf(env, name, ['true', 'false'] as const, fallback ? 'true' : 'false') === 'true';
}

function oneOf<T extends string>(env: Env, name: string, values: readonly T[], fallback: T): T {
  const raw = optional(env, name);
  if (raw === null) return fallback;
  if (!(values as readonly string[]).includes(raw)) {
    throw new ConfigError(`${name} must be one of ${values.join(', ')}, got "${raw}"`);
  }
  return raw as T;
}

function loadAuth(env: Env): AuthConfig {
  const adminApiKey = optional(env, 'ADMIN_API_KEY');
  if (adminApiKey !== null && (adminApiKey.length < 16 || adminApiKey.length > 512 || /\s/.test(adminApiKey))) {
    throw new ConfigError('ADMIN_API_KEY must be 16 to 512 characters with no spaces');
  }
  return {
    adminApiKey,
    touchIntervalMs: integer(env, 'API_KEY_TOUCH_INTERVAL_MS', 60_000, 0, DAY_MS),
    failuresPerMinute: integer(env, 'AUTH_FAILURES_PER_MINUTE', 60, 1, 1_000_000),
    keyCacheSize: integer(env, 'API_KEY_CACHE_SIZE', 10_000, 0, 1_000_000),
    keyCacheTtlMs: integer(env, 'API_KEY_CACHE_TTL_MS', 60_000, 0, DAY_MS),
  };
}

const DAY_MS = 86_400_000;

function loadAnalytics(env: Env): AnalyticsConfig {
  const analytics = readAnalytics(env);
  // Grades count the recoveries concluded in the window: events older than the retention are gone.
  if (analytics.healthWindowMs > analytics.eventRetentionDays * DAY_MS) {
    throw new ConfigError(
      `HEALTH_WINDOW_MS (${analytics.healthWindowMs}) must not be longer than EVENT_RETENTION_DAYS (${analytics.eventRetentionDays} days): the grades would count only the recoveries retention kept`,
    );
  }
  return analytics;
}

function readAnalytics(env: Env): AnalyticsConfig {
  const d = DEFAULT_THRESHOLDS;
  return {
    recomputeIntervalMs: integer(env, 'HEALTH_RECOMPUTE_INTERVAL_MS', 30_000, 100, DAY_MS),
    healthWindowMs: integer(env, 'HEALTH_WINDOW_MS', DAY_MS, 60_000, 90 * DAY_MS),
    snapshotEveryMs: integer(env, 'HEALTH_SNAPSHOT_EVERY_MS', 3_600_000, 0, DAY_MS),
    snapshotRetentionDays: integer(env, 'SNAPSHOT_RETENTION_DAYS', 30, 1, 3650),
    eventRetentionDays: integer(env, 'EVENT_RETENTION_DAYS', 90, 1, 3650),
    bucketRetentionDays: integer(env, 'OUTCOME_BUCKET_RETENTION_DAYS', 30, 1, 3650),
    thresholds: {
      windowMs: integer(env, 'REC_WINDOW_MS', d.windowMs, 60_000, 7 * DAY_MS),
      lowRecoveryRate: ratio(env, 'REC_LOW_RECOVERY_RATE', d.lowRecoveryRate),
      longRecoveryTimeMs: integer(env, 'REC_LONG_RECOVERY_TIME_MS', d.longRecoveryTimeMs, 1, 7 * DAY_MS),
      flappingOpenings: integer(env, 'REC_FLAPPING_OPENINGS', d.flappingOpenings, 1, 1_000_000),
      repeatedFailedRecoveries: integer(
        env,
        'REC_REPEATED_FAILED_RECOVERIES',
        d.repeatedFailedRecoveries,
        1,
        1_000_000,
      ),
      stuckOpenTimeoutFactor: integer(env, 'REC_STUCK_OPEN_TIMEOUT_FACTOR', d.stuckOpenTimeoutFactor, 1, 1000),
      stuckOpenMinMs: integer(env, 'REC_STUCK_OPEN_MIN_MS', d.stuckOpenMinMs, 0, 7 * DAY_MS),
      forcedOpenMaxMs: integer(env, 'REC_FORCED_OPEN_MAX_MS', d.forcedOpenMaxMs, 0, 30 * DAY_MS),
      laxFailureRatio: ratio(env, 'REC_LAX_FAILURE_RATIO', d.laxFailureRatio),
      laxMinCalls: integer(env, 'REC_LAX_MIN_CALLS', d.laxMinCalls, 1, 1_000_000_000),
      slowMinTimedCalls: integer(env, 'REC_SLOW_MIN_TIMED_CALLS', d.slowMinTimedCalls, 1, 1_000_000_000),
      slowTailFactor: integer(env, 'REC_SLOW_TAIL_FACTOR', d.slowTailFactor, 1, 1000),
      slowTailMinMs: integer(env, 'REC_SLOW_TAIL_MIN_MS', d.slowTailMinMs, 1, 600_000),
      rateMinCallsPerHour: integer(env, 'REC_RATE_MIN_CALLS_PER_HOUR', d.rateMinCallsPerHour, 1, 1_000_000_000),
      rateFailureRatio: ratio(env, 'REC_RATE_FAILURE_RATIO', d.rateFailureRatio),
    },
  };
}

function ratio(env: Env, name: string, fallback: number): number {
  const raw = optional(env, name);
  if (raw === null) return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0 || value > 1) {
    throw new ConfigError(`${name} must be a number from 0 to 1, got "${raw}"`);
  }
  return value;
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

/** dist/dashboard at the package's root, found from this file whether it runs from src/ or dist/src/. */
function defaultDashboardDir(): string {
  let dir = __dirname;
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return join(dir, 'dist', 'dashboard');
}
