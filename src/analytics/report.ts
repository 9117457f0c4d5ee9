import { HealthStatus } from './health-status';
import { Recommendation } from './recommendations/recommendation';

/** One service's grade in a report. */
export interface ServiceGrade {
  readonly name: string;
  readonly healthStatus: HealthStatus;
  readonly recoveryRate: number;
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
