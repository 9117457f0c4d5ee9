/** A breaker's health grade, best first. */
export enum HealthStatus {
  HEALTHY = 'HEALTHY',
  DEGRADED = 'DEGRADED',
  UNHEALTHY = 'UNHEALTHY',
  CRITICAL = 'CRITICAL',
}

/** Worst last: the index is how bad a status is. */
export const HEALTH_ORDER: readonly HealthStatus[] = [
  HealthStatus.HEALTHY,
  HealthStatus.DEGRADED,
  HealthStatus.UNHEALTHY,
  HealthStatus.CRITICAL,
];

export function worse(a: HealthStatus, b: HealthStatus): HealthStatus {
  return HEALTH_ORDER.indexOf(a) >= HEALTH_ORDER.indexOf(b) ? a : b;
}
