import { BreakerState, RecoveryEventType } from '../breakers/engine';

/** A recorded recovery event, as read back from `recovery_events`. */
export interface StoredEvent {
  readonly id: string;
  readonly breakerName: string;
  readonly type: RecoveryEventType;
  readonly occurredAt: Date;
  readonly durationSinceLastMs: number | null;
  readonly fromState: BreakerState | null;
  readonly toState: BreakerState | null;
  readonly info: Record<string, unknown>;
}
