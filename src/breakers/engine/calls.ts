import { isSlowCall, TripPolicy } from './breaker-config';
import { BreakerInput } from './breaker-input';
import { patchSnapshot, Permit } from './breaker-snapshot';
import { BreakerState } from './breaker-state';
import { RecoveryEventType as T } from './recovery-event-type';
import { close, Draft, event, iso, open } from './transitions';
import { addToWindow, windowInfo, windowTrips } from './trip-window';

/* What callers do, within one step (see `step`): ask for a permit, and report an outcome. */

export type OutcomeInput = Extract<BreakerInput, { type: 'OUTCOME' }>;

/**
 * ACQUIRE: CLOSED and DISABLED permit freely, OPEN and FORCED_OPEN refuse, HALF_OPEN grants a
 * permit under the input's id while fewer than `halfOpenMaxCalls` are outstanding.
 */
export function acquire(d: Draft, permitId: string | null | undefined, now: number): void {
  const s = d.snapshot;
  switch (s.state) {
    case BreakerState.CLOSED:
    case BreakerState.DISABLED:
      d.permitted = true;
      return;
    case BreakerState.OPEN:
    case BreakerState.FORCED_OPEN:
      d.permitted = false;
      return;
    case BreakerState.HALF_OPEN: {
      // Without an id there is nothing for the outcome to settle: no permit.
      if (permitId === undefined || permitId === null) {
        d.permitted = false;
        return;
      }
      // Asking again under a live permit's id (a retried request) gets that permit back, and no second slot.
      const held = findPermit(s.permits, permitId);
      if (held >= 0) {
        d.permitted = true;
        d.permit = s.permits[held];
        return;
      }
      d.permitted = s.permits.length < d.config.halfOpenMaxCalls;
      if (d.permitted) {
        const permit: Permit = { id: permitId, expiresAt: now + d.config.permitTimeoutMs };
        d.snapshot = patchSnapshot(s, { permits: [...s.permits, permit] });
        d.permit = permit;
      }
    }
  }
}

/** OUTCOME: decides by state; `occurredAt` defaults to `now`. Every outcome is counted by the metrics (see `evolve`). */
export function outcome(d: Draft, input: OutcomeInput, now: number): void {
  const s = d.snapshot;
  const occurredAt = input.occurredAt ?? now;
  if (s.state === BreakerState.CLOSED) {
    // An outcome from before this CLOSED period began (a report delayed across a recovery) decides nothing.
    if (occurredAt < s.stateChangedAt) return;
    if (d.config.tripOn === TripPolicy.FAILURE_RATE) rateOutcome(d, input, occurredAt, now);
    else consecutiveOutcome(d, input, now);
  } else if (s.state === BreakerState.HALF_OPEN) {
    trialOutcome(d, input, occurredAt, now);
  }
  // OPEN, FORCED_OPEN and DISABLED: the outcome is counted by the metrics, and changes no state.
}

function consecutiveOutcome(d: Draft, input: OutcomeInput, now: number): void {
  const s = d.snapshot;
  const slow = isSlowCall(d.config, input.durationMs);
  if (input.success && !slow) {
    if (s.consecutiveFailures !== 0) d.snapshot = patchSnapshot(s, { consecutiveFailures: 0 });
    return;
  }
  const failures = s.consecutiveFailures + 1;
  d.snapshot = patchSnapshot(s, { consecutiveFailures: failures });
  if (failures < d.config.failureThreshold) return;
  const why: Record<string, unknown> = { consecutiveFailures: failures, failureThreshold: d.config.failureThreshold };
  if (d.config.slowCallDurationMs !== null) why.slow = slow;
  open(d, now, d.config.openTimeoutMs, why);
}

function rateOutcome(d: Draft, input: OutcomeInput, occurredAt: number, now: number): void {
  const config = d.config;
  const slow = isSlowCall(config, input.durationMs);
  const window = addToWindow(d.snapshot.window, config, occurredAt, now, !input.success, slow);
  // Null: the outcome's bucket has already left the window, so it can trip nothing.
  if (window === null) return;
  d.snapshot = patchSnapshot(d.snapshot, { window });
  if (windowTrips(window, config)) open(d, now, config.openTimeoutMs, windowInfo(window, config));
}

/**
 * HALF_OPEN: an outcome is a trial iff it carries a live permit's id (and settles exactly that
 * permit) or carries no permit id and happened at or after the half-open. Anything else (an
 * expired, settled or unknown permit, a straggler from before) changes nothing.
 */
function trialOutcome(d: Draft, input: OutcomeInput, occurredAt: number, now: number): void {
  const s = d.snapshot;
  let permits = s.permits;
  if (input.permitId !== undefined && input.permitId !== null) {
    const i = findPermit(permits, input.permitId);
    if (i < 0) return;
    permits = permits.filter((_, j) => j !== i);
  } else if (occurredAt < s.stateChangedAt) {
    return;
  }
  const slow = isSlowCall(d.config, input.durationMs);
  if (input.success && !slow) {
    const successes = s.halfOpenSuccesses + 1;
    d.snapshot = patchSnapshot(s, { halfOpenSuccesses: successes, permits });
    if (successes >= d.config.successThreshold) close(d, now);
    return;
  }
  // A failed trial, or a slow one: recovery has failed.
  const next = Math.min(s.currentOpenTimeoutMs * 2, d.config.maxOpenTimeoutMs);
  d.events.push(
    event(T.RECOVERY_FAILED, null, null, { nextOpenTimeoutMs: next, outageStartedAt: iso(s.outageStartedAt) }),
  );
  const why: Record<string, unknown> = {
    trialSuccesses: s.halfOpenSuccesses,
    failureThreshold: d.config.failureThreshold,
  };
  if (d.config.slowCallDurationMs !== null) why.slow = slow;
  open(d, now, next, why);
}

function findPermit(permits: readonly Permit[], id: string): number {
  for (let i = 0; i < permits.length; i++) if (permits[i].id === id) return i;
  return -1;
}
