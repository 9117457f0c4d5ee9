import { resolve } from 'node:path';
import { DEFAULT_THRESHOLDS } from './recommendation-thresholds';
import { ConfigError, loadConfig, redact } from './app-config';

describe('loadConfig', () => {
  it('runs two outcome groups at once on Postgres, fewer than the pool holds, and one on the embedded database', () => {
    const url = { DATABASE_URL: 'postgresql://app@db/breakers' };
    expect(loadConfig(url).outcomeGroupsInFlight).toBe(2);
    expect(loadConfig({ ...url, OUTCOME_GROUPS_IN_FLIGHT: '8' }).outcomeGroupsInFlight).toBe(8);
    // One connection stays for everything else.
    expect(loadConfig({ ...url, OUTCOME_GROUPS_IN_FLIGHT: '8', DATABASE_POOL_SIZE: '4' }).outcomeGroupsInFlight).toBe(
      3,
    );
    expect(loadConfig({ ...url, DATABASE_POOL_SIZE: '2' }).outcomeGroupsInFlight).toBe(1);
    expect(loadConfig({ ...url, DATABASE_POOL_SIZE: '1' }).outcomeGroupsInFlight).toBe(1);
    // PGlite serves one connection at a time.
    expect(loadConfig({ OUTCOME_GROUPS_IN_FLIGHT: '4' }).outcomeGroupsInFlight).toBe(1);
    for (const bad of ['0', '17', '1.5', 'two']) {
      expect(() => loadConfig({ ...url, OUTCOME_GROUPS_IN_FLIGHT: bad })).toThrow(ConfigError);
      expect(() => loadConfig({ ...url, OUTCOME_GROUPS_IN_FLIGHT: bad })).toThrow(/OUTCOME_GROUPS_IN_FLIGHT/);
    }
  });

  it('has defaults that run the embedded database on port 3000', () => {
    const config = loadConfig({});
    expect(config).toEqual({
      nodeEnv: 'development',
      port: 3000,
      host: '0.0.0.0',
      databaseUrl: null,
      dataDir: resolve('./data'),
      dashboardDir: resolve(__dirname, '..', '..', 'dist', 'dashboard'),
      databasePoolSize: 10,
      databaseTimeouts: { statementTimeoutMs: 3000, lockTimeoutMs: 2000 },
      halfOpenSweepIntervalMs: 200,
      subscriberQueueLimit: 1000,
      subscriberCloseGraceMs: 10_000,
      outcomeQueueLimit: 100_000,
      outcomeGroupsInFlight: 1,
      retention: { intervalMs: 60_000, batchRows: 5000 },
      analytics: {
        recomputeIntervalMs: 30_000,
        healthWindowMs: 86_400_000,
        snapshotEveryMs: 3_600_000,
        snapshotRetentionDays: 30,
        eventRetentionDays: 90,
        bucketRetentionDays: 30,
        thresholds: DEFAULT_THRESHOLDS,
      },
      auth: {
        adminApiKey: null,
        touchIntervalMs: 60_000,
        failuresPerMinute: 60,
        keyCacheSize: 10_000,
        keyCacheTtlMs: 60_000,
      },
      observability: { logLevel: 'info', metricsEnabled: true, metricsToken: null, metricsPublic: false },
      limits: {
        rateLimitPerMinute: 60_000,
        maxQueryDepth: 12,
        maxAliases: 100,
        maxQueryCost: 50_000,
        maxBreakers: 10_000,
        registrationsPerKeyPerMinute: 600,
        maxDirectives: 50,
        wsMaxPayloadBytes: 1_048_576,
        wsConnectionInitTimeoutMs: 3000,
        wsKeepAliveMs: 12_000,
      },
    });
  });

  it('reads every variable', () => {
    const config = loadConfig({
      NODE_ENV: 'production',
      PORT: '8080',
      HOST: '127.0.0.1',
      DATABASE_URL: 'postgresql://app:secret@db:5432/breakers',
      DATA_DIR: '/var/lib/breakers',
      DASHBOARD_DIR: '/srv/dashboard',
      DATABASE_POOL_SIZE: '20',
      DATABASE_STATEMENT_TIMEOUT_MS: '10000',
      DATABASE_LOCK_TIMEOUT_MS: '500',
      HALF_OPEN_SWEEP_INTERVAL_MS: '100',
      SUBSCRIBER_QUEUE_LIMIT: '50',
      SUBSCRIBER_CLOSE_GRACE_MS: '2500',
      RETENTION_INTERVAL_MS: '5000',
      RETENTION_BATCH_ROWS: '250',
      WS_KEEPALIVE_MS: '30000',
      OUTCOME_QUEUE_LIMIT: '20000',
      OUTCOME_GROUPS_IN_FLIGHT: '3',
      ADMIN_API_KEY: 'a-long-enough-admin-key',
      API_KEY_TOUCH_INTERVAL_MS: '1000',
      AUTH_FAILURES_PER_MINUTE: '10',
      API_KEY_CACHE_SIZE: '500',
      API_KEY_CACHE_TTL_MS: '5000',
      LOG_LEVEL: 'warn',
      METRICS_ENABLED: 'false',
      METRICS_TOKEN: 'scrape-secret',
      METRICS_PUBLIC: 'true',
      RATE_LIMIT_PER_MINUTE: '600',
      MAX_QUERY_DEPTH: '8',
      MAX_QUERY_ALIASES: '20',
      MAX_QUERY_COST: '1000',
      MAX_BREAKERS: '500',
      REGISTRATIONS_PER_KEY_PER_MINUTE: '30',
      MAX_QUERY_DIRECTIVES: '10',
      WS_MAX_PAYLOAD_BYTES: '65536',
      WS_CONNECTION_INIT_TIMEOUT_MS: '500',
    });
    expect(config).toEqual({
      nodeEnv: 'production',
      port: 8080,
      host: '127.0.0.1',
      databaseUrl: 'postgresql://app:secret@db:5432/breakers',
      dataDir: '/var/lib/breakers',
      dashboardDir: '/srv/dashboard',
      databasePoolSize: 20,
      databaseTimeouts: { statementTimeoutMs: 10_000, lockTimeoutMs: 500 },
      halfOpenSweepIntervalMs: 100,
      subscriberQueueLimit: 50,
      subscriberCloseGraceMs: 2500,
      outcomeQueueLimit: 20_000,
      outcomeGroupsInFlight: 3,
      analytics: expect.objectContaining({ recomputeIntervalMs: 30_000 }),
      retention: { intervalMs: 5000, batchRows: 250 },
      auth: {
        adminApiKey: 'a-long-enough-admin-key',
        touchIntervalMs: 1000,
        failuresPerMinute: 10,
        keyCacheSize: 500,
        keyCacheTtlMs: 5000,
      },
      observability: { logLevel: 'warn', metricsEnabled: false, metricsToken: 'scrape-secret', metricsPublic: true },
      limits: {
        rateLimitPerMinute: 600,
        maxQueryDepth: 8,
        maxAliases: 20,
        maxQueryCost: 1000,
        maxBreakers: 500,
        registrationsPerKeyPerMinute: 30,
        maxDirectives: 10,
        wsMaxPayloadBytes: 65_536,
        wsConnectionInitTimeoutMs: 500,
        wsKeepAliveMs: 30_000,
      },
    });
  });

  it('reads the analytics settings and every recommendation threshold', () => {
    const { analytics } = loadConfig({
      HEALTH_RECOMPUTE_INTERVAL_MS: '500',
      SNAPSHOT_RETENTION_DAYS: '7',
      EVENT_RETENTION_DAYS: '14',
      OUTCOME_BUCKET_RETENTION_DAYS: '2',
      REC_WINDOW_MS: '1800000',
      REC_LOW_RECOVERY_RATE: '0.4',
      REC_LONG_RECOVERY_TIME_MS: '30000',
      REC_FLAPPING_OPENINGS: '3',
      REC_REPEATED_FAILED_RECOVERIES: '2',
      REC_STUCK_OPEN_TIMEOUT_FACTOR: '5',
      REC_STUCK_OPEN_MIN_MS: '60000',
      REC_FORCED_OPEN_MAX_MS: '120000',
      REC_LAX_FAILURE_RATIO: '0.25',
      REC_LAX_MIN_CALLS: '10',
      REC_SLOW_MIN_TIMED_CALLS: '50',
      REC_SLOW_TAIL_FACTOR: '3',
      REC_SLOW_TAIL_MIN_MS: '250',
      REC_RATE_MIN_CALLS_PER_HOUR: '500',
      REC_RATE_FAILURE_RATIO: '0.4',
      HEALTH_WINDOW_MS: '3600000',
      HEALTH_SNAPSHOT_EVERY_MS: '0',
    });
    expect(analytics).toEqual({
      recomputeIntervalMs: 500,
      healthWindowMs: 3_600_000,
      snapshotEveryMs: 0,
      snapshotRetentionDays: 7,
      eventRetentionDays: 14,
      bucketRetentionDays: 2,
      thresholds: {
        windowMs: 1_800_000,
        lowRecoveryRate: 0.4,
        longRecoveryTimeMs: 30_000,
        flappingOpenings: 3,
        repeatedFailedRecoveries: 2,
        stuckOpenTimeoutFactor: 5,
        stuckOpenMinMs: 60_000,
        forcedOpenMaxMs: 120_000,
        laxFailureRatio: 0.25,
        laxMinCalls: 10,
        slowMinTimedCalls: 50,
        slowTailFactor: 3,
        slowTailMinMs: 250,
        rateMinCallsPerHour: 500,
        rateFailureRatio: 0.4,
      },
    });
    expect(() => loadConfig({ REC_LAX_FAILURE_RATIO: '1.5' })).toThrow(
      /REC_LAX_FAILURE_RATIO must be a number from 0 to 1/,
    );
    expect(() => loadConfig({ HEALTH_RECOMPUTE_INTERVAL_MS: '10' })).toThrow(/HEALTH_RECOMPUTE_INTERVAL_MS/);
    expect(() => loadConfig({ REC_SLOW_TAIL_FACTOR: '2.5' })).toThrow(/REC_SLOW_TAIL_FACTOR must be a whole number/);
    expect(() => loadConfig({ REC_SLOW_TAIL_MIN_MS: '0' })).toThrow(/REC_SLOW_TAIL_MIN_MS must be a whole number/);
    expect(() => loadConfig({ REC_RATE_FAILURE_RATIO: '2' })).toThrow(/REC_RATE_FAILURE_RATIO must be a number/);
  });

  it('reads METRICS_PUBLIC, off by default', () => {
    expect(loadConfig({}).observability.metricsPublic).toBe(false);
    expect(loadConfig({ NODE_ENV: 'production', METRICS_PUBLIC: 'true' }).observability.metricsPublic).toBe(true);
    expect(() => loadConfig({ METRICS_PUBLIC: 'yes' })).toThrow(/METRICS_PUBLIC must be one of true, false/);
  });

  it('treats blank values as unset', () => {
    expect(loadConfig({ DATABASE_URL: '  ', PORT: '' })).toMatchObject({ databaseUrl: null, port: 3000 });
  });

  it.each([
    ['PORT', 'abc', /PORT must be a whole number from 0 to 65535, got "abc"/],
    ['PORT', '70000', /PORT/],
    ['DATABASE_POOL_SIZE', '0', /DATABASE_POOL_SIZE/],
    ['HALF_OPEN_SWEEP_INTERVAL_MS', '501', /HALF_OPEN_SWEEP_INTERVAL_MS must be a whole number from 10 to 500/],
    ['DATABASE_URL', 'mysql://x', /DATABASE_URL must start with postgres/],
    ['ADMIN_API_KEY', 'short', /ADMIN_API_KEY must be 16 to 512 characters/],
    ['LOG_LEVEL', 'loud', /LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent/],
    ['METRICS_ENABLED', 'yes', /METRICS_ENABLED must be one of true, false/],
  ])('refuses %s=%s with a message naming it', (name, value, message) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(message);
  });

  it('never shows a password in messages', () => {
    expect(redact('postgresql://app:secret@db:5432/x')).toBe('postgresql://app:***@db:5432/x');
    expect(() => loadConfig({ DATABASE_URL: 'mysql://app:secret@db/x' })).toThrow(/app:\*\*\*@db/);
  });

  it('refuses a health window longer than the events are kept, naming both settings', () => {
    expect(() => loadConfig({ HEALTH_WINDOW_MS: String(3 * 86_400_000), EVENT_RETENTION_DAYS: '2' })).toThrow(
      /HEALTH_WINDOW_MS \(259200000\) must not be longer than EVENT_RETENTION_DAYS \(2 days\)/,
    );
    expect(
      loadConfig({ HEALTH_WINDOW_MS: String(2 * 86_400_000), EVENT_RETENTION_DAYS: '2' }).analytics.healthWindowMs,
    ).toBe(2 * 86_400_000);
  });
});
