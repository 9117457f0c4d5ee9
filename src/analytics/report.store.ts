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
  /**
   * Stores a run's grades: each breaker's current one in breaker_health, and a snapshot of it in
   * health_snapshots when its status or rate differs from its last snapshot's, or that one is at
   * least `everyMs` old (or there is none). So a steady fleet adds a row per breaker per `everyMs`,
   * not per run, and the grade at any past time is still that of the last snapshot at or before it.
   */
  async saveGrades(manager: EntityManager, rows: readonly SnapshotRow[], at: number, everyMs: number): Promise<void> {
    if (rows.length === 0) return;
    await queryRows(
      manager,
      `WITH v AS (
         SELECT * FROM unnest($1::int[], $2::text[], $3::float8[], $4::float8[]) AS v(breaker_id, status, rate, downtime)
       ), due AS (
         SELECT v.* FROM v LEFT JOIN breaker_health h ON h.breaker_id = v.breaker_id
         WHERE h.snapshot_at IS NULL OR h.status <> v.status OR h.recovery_rate IS DISTINCT FROM v.rate
            OR h.snapshot_at <= $5::timestamptz - $6 * interval '1 millisecond'
       ), snapped AS (
         INSERT INTO health_snapshots (breaker_id, status, recovery_rate, average_downtime_ms, computed_at)
         SELECT breaker_id, status, rate, downtime, $5 FROM due
       )
       INSERT INTO breaker_health AS h (breaker_id, status, changed_at, recovery_rate, snapshot_at)
       SELECT v.breaker_id, v.status, $5, v.rate, CASE WHEN d.breaker_id IS NULL THEN NULL ELSE $5::timestamptz END
       FROM v LEFT JOIN due d ON d.breaker_id = v.breaker_id
       ORDER BY v.breaker_id
       ON CONFLICT (breaker_id) DO UPDATE SET status = EXCLUDED.status,
         changed_at = CASE WHEN h.status = EXCLUDED.status THEN h.changed_at ELSE EXCLUDED.changed_at END,
         recovery_rate = CASE WHEN EXCLUDED.snapshot_at IS NULL THEN h.recovery_rate ELSE EXCLUDED.recovery_rate END,
         snapshot_at = coalesce(EXCLUDED.snapshot_at, h.snapshot_at)`,
      [
        rows.map((r) => r.breakerId),
        rows.map((r) => r.status),
        rows.map((r) => r.recoveryRate),
        rows.map((r) => r.averageDowntimeMs),
        new Date(at),
        everyMs,
      ],
    );
  }

  /** A breaker's snapshots from the one in force at `since` on, oldest first, at most `limit`. */
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
       WHERE b.name = $1
         -- From the snapshot in force at $2 (the last at or before it), so that the grade of any
         -- moment in the range is answered: snapshots are written only when the grade changes.
         AND s.computed_at >= coalesce(
           (SELECT max(p.computed_at) FROM health_snapshots p WHERE p.breaker_id = b.id AND p.computed_at <= $2), $2)
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
