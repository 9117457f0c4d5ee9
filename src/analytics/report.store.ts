import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { queryRows } from '../database/query-rows';
import { HealthStatus } from './health-status';
import { ReportData } from './report';

export interface SnapshotRow {
  readonly breakerId: number;
  readonly status: HealthStatus;
  readonly recoveryRate: number;
  readonly averageDowntimeMs: number;
}

export interface HealthSnapshotData {
  readonly breakerName: string;
  readonly status: HealthStatus;
  readonly recoveryRate: number;
  readonly averageDowntimeMs: number;
  readonly computedAt: Date;
}

/** SQL for the current report, the snapshots and each breaker's last grade. Set-based throughout. */
@Injectable()
export class ReportStore {
  async latest(manager: EntityManager): Promise<ReportData | null> {
    const rows = await queryRows<{ report: ReportData & { generatedAt: string } }>(
      manager,
      'SELECT report FROM recovery_reports WHERE id = 1',
    );
    if (rows.length === 0) return null;
    const report = rows[0].report;
    return {
      ...report,
      generatedAt: new Date(report.generatedAt),
      // A report stored before grades had a window holds lifetime rates only: they were the same thing.
      services: report.services.map((s) => ({ ...s, lifetimeRecoveryRate: s.lifetimeRecoveryRate ?? s.recoveryRate })),
    };
  }

  async lastGeneratedAt(manager: EntityManager): Promise<number | null> {
    const rows = await queryRows<{ generated_at: Date }>(
      manager,
      'SELECT generated_at FROM recovery_reports WHERE id = 1',
    );
    return rows.length === 0 ? null : rows[0].generated_at.getTime();
  }

  async save(manager: EntityManager, report: ReportData): Promise<void> {
    await queryRows(
      manager,
      `INSERT INTO recovery_reports (id, generated_at, report) VALUES (1, $1, $2)
       ON CONFLICT (id) DO UPDATE SET generated_at = EXCLUDED.generated_at, report = EXCLUDED.report`,
      [report.generatedAt, JSON.stringify(report)],
    );
  }

  /** One snapshot per breaker, and the grade each now has; one statement each. */
  async saveGrades(manager: EntityManager, rows: readonly SnapshotRow[], at: number): Promise<void> {
    if (rows.length === 0) return;
    const params = [
      rows.map((r) => r.breakerId),
      rows.map((r) => r.status),
      rows.map((r) => r.recoveryRate),
      rows.map((r) => r.averageDowntimeMs),
      new Date(at),
    ];
    await queryRows(
      manager,
      `INSERT INTO health_snapshots (breaker_id, status, recovery_rate, average_downtime_ms, computed_at)
       SELECT breaker_id, status, rate, downtime, $5
       FROM unnest($1::int[], $2::text[], $3::float8[], $4::float8[]) AS v(breaker_id, status, rate, downtime)`,
      params,
    );
    await queryRows(
      manager,
      `INSERT INTO breaker_health AS h (breaker_id, status, changed_at)
       SELECT breaker_id, status, $3 FROM unnest($1::int[], $2::text[]) AS v(breaker_id, status)
       ON CONFLICT (breaker_id) DO UPDATE SET status = EXCLUDED.status,
         changed_at = CASE WHEN h.status = EXCLUDED.status THEN h.changed_at ELSE EXCLUDED.changed_at END`,
      [params[0], params[1], new Date(at)],
    );
  }

  /** A breaker's snapshots since `since`, oldest first, at most `limit`. */
  async history(
    manager: EntityManager,
    breakerName: string,
    since: Date,
    limit: number,
  ): Promise<HealthSnapshotData[]> {
    const rows = await queryRows<{
      status: HealthStatus;
      recovery_rate: number;
      average_downtime_ms: number;
      computed_at: Date;
    }>(
      manager,
      `SELECT s.status, s.recovery_rate, s.average_downtime_ms, s.computed_at
       FROM health_snapshots s JOIN breakers b ON b.id = s.breaker_id
       WHERE b.name = $1 AND s.computed_at >= $2
       ORDER BY s.computed_at, s.id LIMIT $3`,
      [breakerName, since, limit],
    );
    return rows.map((r) => ({
      breakerName,
      status: r.status,
      recoveryRate: r.recovery_rate,
      averageDowntimeMs: r.average_downtime_ms,
      computedAt: r.computed_at,
    }));
  }
}
