import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { Clock } from '../common/clock';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/app-config.token';
import { AdvisoryLock } from '../database/advisory-locks';
import { inTransaction, Tx } from '../database/transaction';
import { PUB_SUB } from '../pubsub/pubsub';
import type { PubSub } from '../pubsub/pubsub';
import { PubSubChannel } from '../pubsub/pubsub-channel';
import { FactsStore, GradedInput } from './facts.store';
import { grade, overallHealth } from './grading';
import { recommend } from './recommendations/recommend';
import { HealthChangeData, ReportData } from './report';
import { ReportStore } from './report.store';


export type RecomputeTrigger = 'schedule' | 'request';

/**
 * Grades every breaker, writes the snapshots and the report, prunes old history and announces
 * the changes: once per cluster at a time, under a Postgres advisory lock.
 */
@Injectable()
export class AnalyticsService {
  private readonly logger = new Logger(AnalyticsService.name);
  /** The last report read here; at most one, replaced by the next. */
  private cached: ReportData | null = null;

  constructor(
    private readonly dataSource: DataSource,
    private readonly facts: FactsStore,
    private readonly reports: ReportStore,
    private readonly clock: Clock,
    @Inject(PUB_SUB) private readonly pubsub: PubSub,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * The latest report, computing one if none exists yet. Parsed once per report, not per
   * request: a report of 10,000 breakers is about 2 MB of JSON. Each request reads only its
   * generated_at, and the stored report again once another run (on any instance) replaced it.
   */
  async latestReport(): Promise<ReportData> {
    const manager = this.dataSource.manager;
    const at = await this.reports.lastGeneratedAt(manager);
    if (at !== null && this.cached?.generatedAt.getTime() === at) return this.cached;
    const report = (await this.reports.latest(manager)) ?? (await this.recompute('request'))!;
    this.cached = report;
    return report;
  }

  /**
   * Recomputes. A scheduled run skips when another instance holds the lock or has just run (so
   * two instances grade once per tick); a requested run waits for the lock, up
   * to DATABASE_LOCK_TIMEOUT_MS, then fails as unavailable. The lock is transaction-scoped: it ends
   * with the transaction whatever happens, so no pooled session can keep it.
   * Answers the new report, or null when a scheduled run skipped.
   */
  async recompute(trigger: RecomputeTrigger): Promise<ReportData | null> {
    return inTransaction(this.dataSource, async (tx) => {
      if (!(await this.lock(tx.manager, trigger))) return null;
      const now = this.clock.now();
      const last = await this.reports.lastGeneratedAt(tx.manager);
      if (trigger === 'schedule' && last !== null && now - last < this.config.analytics.recomputeIntervalMs / 2) {
        return null;
      }
      const a = this.config.analytics;
      const inputs = await this.facts.loadAll(tx.manager, now, a.thresholds.windowMs, a.healthWindowMs);
      const { report, changes } = this.grade(inputs, now);
      await this.reports.saveGrades(
        tx.manager,
        inputs.map((input, i) => ({ breakerId: input.id, ...toSnapshot(report.services[i]) })),
        now,
        a.snapshotEveryMs,
      );
      await this.reports.save(tx.manager, report);
      await this.publish(tx, report, changes);
      return report;
    });
  }

  /** Takes the recompute lock for this transaction: a request waits for it (up to lock_timeout), the schedule only tries. */
  private async lock(manager: EntityManager, trigger: RecomputeTrigger): Promise<boolean> {
    if (trigger === 'request') {
      await manager.query('SELECT pg_advisory_xact_lock($1)', [AdvisoryLock.HEALTH_RECOMPUTE]);
      return true;
    }
    const [row] = await manager.query('SELECT pg_try_advisory_xact_lock($1) AS locked', [
      AdvisoryLock.HEALTH_RECOMPUTE,
    ]);
    return row.locked === true;
  }

  /** Pure: grades, overall health, recommendations and which grades changed. */
  private grade(inputs: readonly GradedInput[], now: number): { report: ReportData; changes: HealthChangeData[] } {
    const at = new Date(now);
    const services = inputs.map((input) => {
      const g = grade(input);
      return {
        name: input.name,
        healthStatus: g.status,
        recoveryRate: g.recoveryRate,
        lifetimeRecoveryRate: g.lifetimeRecoveryRate,
        averageDowntimeMs: g.averageDowntimeMs,
      };
    });
    const changes = inputs
      .map((input, i) => ({ breakerName: input.name, from: input.previousStatus, to: services[i].healthStatus, at }))
      .filter((c) => c.from !== c.to);
    const report: ReportData = {
      generatedAt: at,
      overallSystemHealth: overallHealth(services.map((s) => s.healthStatus)),
      services,
      recommendations: recommend(inputs, this.config.analytics.thresholds, now),
    };
    return { report, changes };
  }

  private async publish(tx: Tx, report: ReportData, changes: readonly HealthChangeData[]): Promise<void> {
    await this.pubsub.publish(
      PubSubChannel.HEALTH_CHANGED,
      changes.map((c) => ({ ...c, at: c.at.toISOString() })),
      tx,
    );
    await this.pubsub.publish(PubSubChannel.REPORT_UPDATED, [{ generatedAt: report.generatedAt.toISOString() }], tx);
  }
}

function toSnapshot(service: ReportData['services'][number]) {
  return {
    status: service.healthStatus,
    recoveryRate: service.recoveryRate,
    averageDowntimeMs: service.averageDowntimeMs,
  };
}
