import { EngineEvent } from '../engine';

/** A recovery event of an in-process breaker, as handed to its monitor. */
export interface MonitoredEvent extends EngineEvent {
  readonly breakerName: string;
}

/** Receives the recovery events of an in-process breaker, the same events the platform records. */
export interface RecoveryMonitor {
  onEvent(event: MonitoredEvent): void;
}
