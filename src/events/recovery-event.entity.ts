import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { BreakerState, RecoveryEventType } from '../breakers/engine';

/** A row of `recovery_events`: append-only; ids grow in commit order (see EventStore.insertMany). */
@Entity('recovery_events')
export class RecoveryEventEntity {
  /** bigserial: kept as a string, since it may outgrow a JS number's exact range. */
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: string;

  /** The breaker's id; the schema holds the foreign key (ON DELETE CASCADE). */
  @Column({ name: 'breaker_id', type: 'integer' })
  breakerId: number;

  @Column({ type: 'text' })
  type: RecoveryEventType;

  @Column({ name: 'occurred_at', type: 'timestamptz' })
  occurredAt: Date;

  @Column({ name: 'duration_since_last_ms', type: 'double precision', nullable: true })
  durationSinceLastMs: number | null;

  @Column({ name: 'from_state', type: 'text', nullable: true })
  fromState: BreakerState | null;

  @Column({ name: 'to_state', type: 'text', nullable: true })
  toState: BreakerState | null;

  @Column({ type: 'jsonb' })
  info: Record<string, unknown>;
}
