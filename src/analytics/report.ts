import type { BreakerScope } from '../auth/breaker-scope';
import { overallHealth } from './grading';
import { HealthStatus } from './health-status';
import { Recommendation } from './recommendations/recommendation';

/** One service's grade in a report. */
export interface ServiceGrade {
  readonly name: string;
  readonly healthStatus: HealthStatus;
  readonly recoveryRate: number;
  readonly lifetimeRecoveryRate: number;
  readonly averageDowntimeMs: number;
}

/** A computed recovery report, as stored (JSON) and served. */
export interface ReportData {
  readonly generatedAt: Date;
  readonly overallSystemHealth: HealthStatus;
  readonly services: readonly ServiceGrade[];
  readonly recommendations: readonly Recommendation[];
}

/** A breaker whose grade changed at a run; `from` is null for its first grade. */
export interface HealthChangeData {
  readonly breakerName: string;
  readonly from: HealthStatus | null;
  readonly to: HealthStatus;
  readonly at: Date;
}

/**
 * The report as a scoped key may see it: its breakers' grades and recommendations, and the overall
 * health of those alone. An unscoped key sees the report as it is.
 */
export function reportWithin(report: ReportData, scope: BreakerScope): ReportData {
  if (!scope.scoped) return report;
  const services = report.services.filter((s) => scope.includes(s.name));
  return {
    generatedAt: report.generatedAt,
    overallSystemHealth: overallHealth(services.map((s) => s.healthStatus)),
    services,
    recommendations: report.recommendations.filter((r) => scope.includes(r.breakerName)),
  };
}
