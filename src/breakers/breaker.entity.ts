import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { bigintAsNumber } from '../database/column-transformers';
import { BreakerState, Permit, TripPolicy, TripWindow } from './engine';

/** A row of `breakers`: the breaker's config and the engine snapshot it is in. */
@Entity('breakers')
export class BreakerEntity {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'text', unique: true })
  name: string;

  @Column({ type: 'text' })
  state: BreakerState;

  @Column({ name: 'failure_threshold', type: 'integer' })
  failureThreshold: number;

  @Column({ name: 'open_timeout_ms', type: 'integer' })
  openTimeoutMs: number;

  @Column({ name: 'max_open_timeout_ms', type: 'integer' })
  maxOpenTimeoutMs: number;

  @Column({ name: 'half_open_max_calls', type: 'integer' })
  halfOpenMaxCalls: number;

  @Column({ name: 'success_threshold', type: 'integer' })
  successThreshold: number;

  @Column({ name: 'trip_on', type: 'text' })
  tripOn: TripPolicy;

  @Column({ name: 'window_ms', type: 'integer' })
  windowMs: number;

  @Column({ name: 'window_buckets', type: 'integer' })
  windowBuckets: number;

  @Column({ name: 'minimum_calls', type: 'integer' })
  minimumCalls: number;

  @Column({ name: 'failure_rate_threshold', type: 'double precision' })
  failureRateThreshold: number;

  @Column({ name: 'slow_call_duration_ms', type: 'double precision', nullable: true })
  slowCallDurationMs: number | null;

  @Column({ name: 'slow_call_rate_threshold', type: 'double precision' })
  slowCallRateThreshold: number;

  @Column({ name: 'permit_timeout_ms', type: 'integer' })
  permitTimeoutMs: number;

  @Column({ name: 'consecutive_failures', type: 'integer' })
  consecutiveFailures: number;

  @Column({ name: 'half_open_successes', type: 'integer' })
  halfOpenSuccesses: number;

  /** The HALF_OPEN trial permits outstanding, oldest first. */
  @Column({ type: 'jsonb' })
  permits: Permit[];

  /** FAILURE_RATE's sliding window while CLOSED; null otherwise. */
  @Column({ name: 'trip_window', type: 'jsonb', nullable: true })
  tripWindow: TripWindow | null;

  @Column({ name: 'current_open_timeout_ms', type: 'integer' })
  currentOpenTimeoutMs: number;

  @Column({ name: 'open_until', type: 'timestamptz', nullable: true })
  openUntil: Date | null;

  @Column({ name: 'outage_started_at', type: 'timestamptz', nullable: true })
  outageStartedAt: Date | null;

  @Column({ name: 'state_changed_at', type: 'timestamptz' })
  stateChangedAt: Date;

  @Column({ name: 'last_event_at', type: 'timestamptz', nullable: true })
  lastEventAt: Date | null;

  /** Bumped by every write; the half-open sweep's conditional UPDATE checks it. bigint: a hot breaker passes 2^31 within a month. */
  @Column({ type: 'bigint', transformer: bigintAsNumber })
  version: number;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
