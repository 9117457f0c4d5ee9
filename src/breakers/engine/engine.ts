import { BreakerConfig } from './breaker-config';
import { BreakerInput } from './breaker-input';
import { BreakerSnapshot, patchSnapshot } from './breaker-snapshot';
import { BreakerState } from './breaker-state';
import { AdminContext, EngineEvent } from './engine-event';
import { RecoveryEventType as T } from './recovery-event-type';

/** The result of one step: the new snapshot, the config in force, and the events the step produced, in order. */
export interface StepResult {
  readonly snapshot: BreakerSnapshot;
  readonly config: BreakerConfig;
  readonly events: readonly EngineEvent[];
  /** For ACQUIRE: whether the call may go ahead. Null for every other input. */
  readonly permitted: boolean | null;
}

type PendingEvent = Omit<EngineEvent, 'at' | 'durationSinceLastMs'>;

interface Draft {
  snapshot: BreakerSnapshot;
  config: BreakerConfig;
  events: PendingEvent[];
  permitted: boolean | null;
}

// Not frozen: V8 copies objects that hold frozen values far more slowly (an object spread went from ~50 ns to ~1 µs).
const NO_EVENTS: readonly EngineEvent[] = [];

/**
 * Runs the state machine one step: (snapshot, config, input, now) → (snapshot, events).
 * Time passes first (an OPEN breaker past its open period becomes HALF_OPEN, expired
 * trial permits are dropped), then the input applies. Pure: the same arguments always
 * give the same result, and the arguments are never mutated.
 */
export function step(snapshot: BreakerSnapshot, config: BreakerConfig, input: BreakerInput, now: number): StepResult {
  const quiet = quietStep(snapshot, config, input);
  if (quiet !== null) return quiet;
  const draft: Draft = { snapshot, config, events: [], permitted: null };
  passTime(draft, now);
  applyInput(draft, input, now);
  return finish(draft, snapshot.lastEventAt, now);
}

/**
 * The common inputs that change nothing, answered without building a draft: a permit asked of a
 * CLOSED or DISABLED breaker, and a success reported to a CLOSED breaker with no failures in a
 * row. The result is exactly what the general path gives (time cannot move a CLOSED or DISABLED
 * breaker); it only skips the work. Null for everything else.
 */
function quietStep(snapshot: BreakerSnapshot, config: BreakerConfig, input: BreakerInput): StepResult | null {
  if (input.type === 'ACQUIRE' && permitsFreely(snapshot)) {
    return { snapshot, config, events: NO_EVENTS, permitted: true };
  }
  if (
    input.type === 'OUTCOME' &&
    (input.success ? successIsQuiet(snapshot) : snapshot.state === BreakerState.DISABLED)
  ) {
    return { snapshot, config, events: NO_EVENTS, permitted: null };
  }
  return null;
}

/**
 * Whether a permit asked of this breaker, at any time, is granted and changes nothing: it is
 * CLOSED or DISABLED, and time cannot move either.
 */
export function permitsFreely(snapshot: BreakerSnapshot): boolean {
  const state = snapshot.state;
  return state === BreakerState.CLOSED || state === BreakerState.DISABLED;
}

/**
 * Whether a success reported to this breaker, at any time, changes nothing in its snapshot and
 * produces no event: it is DISABLED, or CLOSED with no failures in a row. Its only effect is
 * on the call count (see `countSuccesses`).
 */
export function successIsQuiet(snapshot: BreakerSnapshot): boolean {
  const state = snapshot.state;
  return state === BreakerState.DISABLED || (state === BreakerState.CLOSED && snapshot.consecutiveFailures === 0);
}

/** Whether time alone would change this breaker at `now` (an OPEN breaker whose open period is over). */
export function isDue(snapshot: BreakerSnapshot, now: number): boolean {
  return snapshot.state === BreakerState.OPEN && snapshot.openUntil !== null && snapshot.openUntil <= now;
}

function passTime(d: Draft, now: number): void {
  if (isDue(d.snapshot, now)) {
    halfOpen(d, now);
  } else if (d.snapshot.state === BreakerState.HALF_OPEN && d.snapshot.permitExpiries.length > 0) {
    const live = d.snapshot.permitExpiries.filter((expiry) => expiry > now);
    if (live.length !== d.snapshot.permitExpiries.length)
      d.snapshot = patchSnapshot(d.snapshot, { permitExpiries: live });
  }
}

function applyInput(d: Draft, input: BreakerInput, now: number): void {
  switch (input.type) {
    case 'ADVANCE':
      return;
    case 'ACQUIRE':
      return acquire(d, now);
    case 'OUTCOME':
      return input.success ? succeed(d, now) : fail(d, now);
    case 'RESET':
      return adminMove(d, T.CIRCUIT_RESET, BreakerState.CLOSED, input.admin, now);
    case 'FORCE_OPEN':
      return adminMove(d, T.CIRCUIT_FORCED_OPEN, BreakerState.FORCED_OPEN, input.admin, now);
    case 'DISABLE':
      return adminMove(d, T.CIRCUIT_DISABLED, BreakerState.DISABLED, input.admin, now);
    case 'CONFIGURE':
      return configure(d, input.config, input.admin);
  }
}

function acquire(d: Draft, now: number): void {
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
    case BreakerState.HALF_OPEN:
      d.permitted = s.permitExpiries.length < d.config.halfOpenMaxCalls;
      if (d.permitted) {
        d.snapshot = patchSnapshot(s, { permitExpiries: [...s.permitExpiries, now + d.config.openTimeoutMs] });
      }
  }
}

function succeed(d: Draft, now: number): void {
  const s = d.snapshot;
  if (s.state === BreakerState.CLOSED) {
    if (s.consecutiveFailures !== 0) d.snapshot = patchSnapshot(s, { consecutiveFailures: 0 });
  } else if (s.state === BreakerState.HALF_OPEN) {
    const successes = s.halfOpenSuccesses + 1;
    d.snapshot = patchSnapshot(s, { halfOpenSuccesses: successes, permitExpiries: s.permitExpiries.slice(1) });
    if (successes >= d.config.successThreshold) close(d, now);
  }
  // OPEN, FORCED_OPEN and DISABLED: the outcome is counted by the metrics, and changes no state.
}

function fail(d: Draft, now: number): void {
  const s = d.snapshot;
  if (s.state === BreakerState.CLOSED) {
    const failures = s.consecutiveFailures + 1;
    d.snapshot = patchSnapshot(s, { consecutiveFailures: failures });
    if (failures >= d.config.failureThreshold) open(d, now, d.config.openTimeoutMs, { consecutiveFailures: failures });
  } else if (s.state === BreakerState.HALF_OPEN) {
    const next = Math.min(s.currentOpenTimeoutMs * 2, d.config.maxOpenTimeoutMs);
    d.events.push(
      event(T.RECOVERY_FAILED, null, null, { nextOpenTimeoutMs: next, outageStartedAt: iso(s.outageStartedAt) }),
    );
    open(d, now, next, { trialSuccesses: s.halfOpenSuccesses });
  }
}

function open(d: Draft, now: number, openTimeoutMs: number, why: Record<string, unknown>): void {
  const from = d.snapshot.state;
  const openUntil = now + openTimeoutMs;
  d.snapshot = patchSnapshot(d.snapshot, {
    state: BreakerState.OPEN,
    halfOpenSuccesses: 0,
    permitExpiries: [],
    currentOpenTimeoutMs: openTimeoutMs,
    openUntil,
    outageStartedAt: from === BreakerState.CLOSED ? now : d.snapshot.outageStartedAt,
    stateChangedAt: now,
  });
  d.events.push(
    event(T.CIRCUIT_OPENED, from, BreakerState.OPEN, {
      ...why,
      failureThreshold: d.config.failureThreshold,
      openTimeoutMs,
      openUntil: iso(openUntil),
    }),
  );
}

function halfOpen(d: Draft, now: number): void {
  const s = d.snapshot;
  d.snapshot = patchSnapshot(s, {
    state: BreakerState.HALF_OPEN,
    openUntil: null,
    halfOpenSuccesses: 0,
    permitExpiries: [],
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

function close(d: Draft, now: number): void {
  const s = d.snapshot;
  const recoveryTimeMs = now - (s.outageStartedAt ?? now);
  d.events.push(event(T.RECOVERY_SUCCEEDED, null, null, { recoveryTimeMs, trialSuccesses: s.halfOpenSuccesses }));
  d.events.push(event(T.CIRCUIT_CLOSED, BreakerState.HALF_OPEN, BreakerState.CLOSED, { recoveryTimeMs }));
  d.snapshot = restart(s, d.config, BreakerState.CLOSED, { stateChangedAt: now });
}

/** Admin actions emit their event even when the breaker is already in the target state: they are an audit trail. */
function adminMove(d: Draft, type: T, to: BreakerState, admin: AdminContext | undefined, now: number): void {
  const from = d.snapshot.state;
  d.snapshot = restart(d.snapshot, d.config, to, {
    // A reset puts the open period back to its start; force and disable keep the backoff reached so far.
    currentOpenTimeoutMs: to === BreakerState.CLOSED ? d.config.openTimeoutMs : d.snapshot.currentOpenTimeoutMs,
    stateChangedAt: from === to ? d.snapshot.stateChangedAt : now,
  });
  d.events.push(event(type, from, to, adminInfo(admin)));
}

function configure(d: Draft, config: BreakerConfig, admin: AdminContext | undefined): void {
  const s = d.snapshot;
  const current =
    s.state === BreakerState.CLOSED
      ? config.openTimeoutMs
      : Math.min(Math.max(s.currentOpenTimeoutMs, config.openTimeoutMs), config.maxOpenTimeoutMs);
  d.events.push(event(T.CONFIG_CHANGED, null, null, { ...adminInfo(admin), old: { ...d.config }, new: { ...config } }));
  d.config = config;
  if (current !== s.currentOpenTimeoutMs) d.snapshot = patchSnapshot(s, { currentOpenTimeoutMs: current });
}

/** The counters of a fresh start in `state`: no failures, no trials, no outage. */
function restart(
  s: BreakerSnapshot,
  config: BreakerConfig,
  state: BreakerState,
  also: Partial<BreakerSnapshot> = {},
): BreakerSnapshot {
  return patchSnapshot(s, {
    state,
    consecutiveFailures: 0,
    halfOpenSuccesses: 0,
    permitExpiries: [],
    currentOpenTimeoutMs: config.openTimeoutMs,
    openUntil: null,
    outageStartedAt: null,
    ...also,
  });
}

function event(
  type: T,
  fromState: BreakerState | null,
  toState: BreakerState | null,
  info: Record<string, unknown>,
): PendingEvent {
  return { type, fromState, toState, info };
}

function adminInfo(admin: AdminContext | undefined): Record<string, unknown> {
  const info: Record<string, unknown> = { reason: admin?.reason ?? null };
  if (admin?.actor) info.actor = admin.actor;
  return info;
}

function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}

function finish(d: Draft, lastEventAt: number | null, now: number): StepResult {
  if (d.events.length === 0) {
    return { snapshot: d.snapshot, config: d.config, events: NO_EVENTS, permitted: d.permitted };
  }
  const events = d.events.map((e, i) => ({
    ...e,
    at: now,
    durationSinceLastMs: i > 0 ? 0 : lastEventAt === null ? null : now - lastEventAt,
  }));
  return {
    snapshot: patchSnapshot(d.snapshot, { lastEventAt: now }),
    config: d.config,
    events,
    permitted: d.permitted,
  };
}
