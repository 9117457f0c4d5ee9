import { BreakerState } from './breaker-state';
import { RecoveryEventType } from './recovery-event-type';

/** A recovery event as the engine decides it, before anything stores or sends it. */
export interface EngineEvent {
  readonly type: RecoveryEventType;
  readonly at: number;
  /** Milliseconds since the breaker's previous event; null for its first. */
  readonly durationSinceLastMs: number | null;
  /** For events that change the state (or re-assert it, for admin actions): the state before and after. */
  readonly fromState: BreakerState | null;
  readonly toState: BreakerState | null;
  readonly info: Readonly<Record<string, unknown>>;
}

/** Who asked for an admin action, and why; recorded in the event's `info`. */
export interface AdminContext {
  readonly reason?: string | null;
  readonly actor?: string | null;
}
