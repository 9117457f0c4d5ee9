import type { AppConfig } from '../config/app-config';

/** Who may read GET /metrics. */
export type MetricsAccess = 'off' | 'withheld' | 'token' | 'public';

/**
 * /metrics names every breaker and its counts. In production it is served only behind
 * METRICS_TOKEN or when METRICS_PUBLIC=true says it may be open; otherwise it is withheld (404)
 * and the start logs why, so the platform itself keeps serving the services that depend on it.
 */
export function metricsAccess(config: Pick<AppConfig, 'nodeEnv' | 'observability'>): MetricsAccess {
  const { metricsEnabled, metricsToken, metricsPublic } = config.observability;
  if (!metricsEnabled) return 'off';
  if (metricsToken !== null) return 'token';
  if (metricsPublic || config.nodeEnv !== 'production') return 'public';
  return 'withheld';
}
