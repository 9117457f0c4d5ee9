import { resolve } from 'node:path';
import { ConfigError, loadConfig, redact } from './app-config';

describe('loadConfig', () => {
  it('has defaults that run the embedded database on port 3000', () => {
    const config = loadConfig({});
    expect(config).toEqual({
      nodeEnv: 'development',
      port: 3000,
      host: '0.0.0.0',
      databaseUrl: null,
      dataDir: resolve('./data'),
      databasePoolSize: 10,
      halfOpenSweepIntervalMs: 200,
      subscriberQueueLimit: 1000,
    });
  });

  it('reads every variable', () => {
    const config = loadConfig({
      NODE_ENV: 'production',
      PORT: '8080',
      HOST: '127.0.0.1',
      DATABASE_URL: 'postgresql://app:secret@db:5432/breakers',
      DATA_DIR: '/var/lib/breakers',
      DATABASE_POOL_SIZE: '20',
      HALF_OPEN_SWEEP_INTERVAL_MS: '100',
      SUBSCRIBER_QUEUE_LIMIT: '50',
    });
    expect(config).toEqual({
      nodeEnv: 'production',
      port: 8080,
      host: '127.0.0.1',
      databaseUrl: 'postgresql://app:secret@db:5432/breakers',
      dataDir: '/var/lib/breakers',
      databasePoolSize: 20,
      halfOpenSweepIntervalMs: 100,
      subscriberQueueLimit: 50,
    });
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
  ])('refuses %s=%s with a message naming it', (name, value, message) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(message);
  });

  it('never shows a password in messages', () => {
    expect(redact('postgresql://app:secret@db:5432/x')).toBe('postgresql://app:***@db:5432/x');
    expect(() => loadConfig({ DATABASE_URL: 'mysql://app:secret@db/x' })).toThrow(/app:\*\*\*@db/);
  });
});
