import { loadConfig } from '../config/app-config';
import { metricsAccess } from './metrics-access';

describe('metricsAccess', () => {
  it.each([
    [{}, 'public'],
    [{ METRICS_ENABLED: 'false' }, 'off'],
    [{ METRICS_TOKEN: 't' }, 'token'],
    [{ NODE_ENV: 'production' }, 'withheld'],
    [{ NODE_ENV: 'production', METRICS_TOKEN: 't' }, 'token'],
    [{ NODE_ENV: 'production', METRICS_TOKEN: 't', METRICS_PUBLIC: 'true' }, 'token'],
    [{ NODE_ENV: 'production', METRICS_PUBLIC: 'true' }, 'public'],
    [{ NODE_ENV: 'production', METRICS_ENABLED: 'false', METRICS_PUBLIC: 'true' }, 'off'],
  ])('%j serves /metrics %s', (env, access) => {
    expect(metricsAccess(loadConfig(env))).toBe(access);
  });
});
