import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock } from '../common/clock';
import { AppError } from '../common/errors/app-error';
import { EventStore } from '../events/event.store';
import { HealthSnapshotData, ReportStore } from './report.store';

const DAY_MS = 86_400_000;

/** Reads health snapshots. */
@Injectable()
export class HealthHistoryService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly reports: ReportStore,
    private readonly events: EventStore,
    private readonly clock: Clock,
  ) {}

  /** The breaker's snapshots since `since` (default: the last day), oldest first. Unknown breaker: NOT_FOUND. */
  async history(breakerName: string, since: Date | null, limit: number): Promise<HealthSnapshotData[]> {
    const manager = this.dataSource.manager;
    const from = since ?? new Date(this.clock.now() - DAY_MS);
    const rows = await this.reports.history(manager, breakerName, from, limit);
    if (rows.length === 0 && !(await this.events.breakerExists(manager, breakerName))) {
      throw AppError.notFound(`unknown breaker: "${breakerName}"`);
    }
    return rows;
  }
}
