import { BreakerConfig } from './breaker-config';
import { BreakerSnapshot, patchSnapshot, Permit } from './breaker-snapshot';
import { BreakerState } from './breaker-state';
import { AdminContext, EngineEvent } from './engine-event';
import { RecoveryEventType as T } from './recovery-event-type';

/*
 * The engine's working state within one step, and the transitions every input shares. Internal
 * to the engine: `step` (engine.ts) is the only way in.
 */

export type PendingEvent = Omit<EngineEvent, 'at' | 'durationSinceLastMs'>;

/** One step in progress: the snapshot and config so far, the events so far, and ACQUIRE's answer. */
export interface Draft {
  snapshot: BreakerSnapshot;
  config: BreakerConfig;
  events: PendingEvent[];
  permitted: boolean | null;
  permit: Permit | null;
}

/** Opens the breaker for `openTimeoutMs`; `why` leads the CIRCUIT_OPENED info (see RecoveryEventType). */
export function open(d: Draft, now: number, openTimeoutMs: number, why: Record<string, unknown>): void {
  const from = d.snapshot.state;
  const openUntil = now + openTimeoutMs;
  d.snapshot = patchSnapshot(d.snapshot, {
    state: BreakerState.OPEN,
    halfOpenSuccesses: 0,
    permits: [],
    window: null,
    currentOpenTimeoutMs: openTimeoutMs,
    openUntil,
    outageStartedAt: from === BreakerState.CLOSED ? now : d.snapshot.outageStartedAt,
    stateChangedAt: now,
  });
  d.events.push(
    event(T.CIRCUIT_OPENED, from, BreakerState.OPEN, {
      ...why,
      openTimeoutMs,
      openUntil: iso(openUntil),
    }),
  );
}

export function halfOpen(d: Draft, now: number): void {
  const s = d.snapshot;
  d.snapshot = patchSnapshot(s, {
    state: BreakerState.HALF_OPEN,
    openUntil: null,
    halfOpenSuccesses: 0,
    permits: [],
    stateChangedAt: now,
  });
  d.events.push(
    event(T.CIRCUIT_HALF_OPENED, BreakerState.OPEN, BreakerState.HALF_OPEN, { openTimeoutMs: s.currentOpenTimeoutMs }),
  );
  d.events.push(
    event(T.RECOVERY_ATTEMPTED, null, null, {
      halfOpenMaxCalls: d.config.halfOpenMaxCalls,
      successThreshold: d.config.successThreshold,
      outageStartedAt: iso(s.outageStartedAt),
    }),
  );
}

export function close(d: Draft, now: number): void {
  const s = d.snapshot;
  const recoveryTimeMs = now - (s.outageStartedAt ?? now);
  d.events.push(event(T.RECOVERY_SUCCEEDED, null, null, { recoveryTimeMs, trialSuccesses: s.halfOpenSuccesses }));
  d.events.push(event(T.CIRCUIT_CLOSED, BreakerState.HALF_OPEN, BreakerState.CLOSED, { recoveryTimeMs }));
  d.snapshot = restart(s, d.config, BreakerState.CLOSED, { stateChangedAt: now });
}

/** The counters of a fresh start in `state`: no failures, no trials, no window, no outage. */
export function restart(
  s: BreakerSnapshot,
  config: BreakerConfig,
  state: BreakerState,
  also: Partial<BreakerSnapshot> = {},
): BreakerSnapshot {
  return patchSnapshot(s, {
    state,
    consecutiveFailures: 0,
    halfOpenSuccesses: 0,
    permits: [],
    window: null,
    currentOpenTimeoutMs: config.openTimeoutMs,
    openUntil: null,
    outageStartedAt: null,
    ...also,
  });
}

export function event(
  type: T,
  fromState: BreakerState | null,
  toState: BreakerState | null,
  info: Record<string, unknown>,
): PendingEvent {
  return { type, fromState, toState, info };
}

export function adminInfo(admin: AdminContext | undefined): Record<string, unknown> {
  const info: Record<string, unknown> = { reason: admin?.reason ?? null };
  if (admin?.actor) info.actor = admin.actor;
  return info;
}

export function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}
