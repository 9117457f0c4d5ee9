import { Column, Entity, PrimaryColumn } from 'typeorm';
import { bigintAsNumber } from '../database/column-transformers';

/** A row of `recovery_metrics`: one breaker's running recovery figures, keyed by its `breakers.id` (the schema holds the foreign key). */
@Entity('recovery_metrics')
export class RecoveryMetricsEntity {
  @PrimaryColumn({ name: 'breaker_id', type: 'integer' })
  breakerId: number;

  @Column({ name: 'total_calls', type: 'bigint', transformer: bigintAsNumber })
  totalCalls: number;

  @Column({ name: 'total_failures', type: 'bigint', transformer: bigintAsNumber })
  totalFailures: number;

  @Column({ name: 'recovery_attempts', type: 'integer' })
  recoveryAttempts: number;

  @Column({ name: 'successful_recoveries', type: 'integer' })
  successfulRecoveries: number;

  @Column({ name: 'failed_recoveries', type: 'integer' })
  failedRecoveries: number;

  @Column({ name: 'consecutive_failed_recoveries', type: 'integer' })
  consecutiveFailedRecoveries: number;

  @Column({ name: 'total_recovery_time_ms', type: 'double precision' })
  totalRecoveryTimeMs: number;

  @Column({ name: 'closed_episodes_open_ms', type: 'double precision' })
  closedEpisodesOpenMs: number;

  @Column({ name: 'away_since', type: 'timestamptz', nullable: true })
  awaySince: Date | null;

  @Column({ name: 'last_failure_at', type: 'timestamptz', nullable: true })
  lastFailureAt: Date | null;

  @Column({ name: 'last_recovery_at', type: 'timestamptz', nullable: true })
  lastRecoveryAt: Date | null;
}
