import type { BreakerState, StateChange } from '../guarded-breaker';
import type { Platform } from '../platform';

type Listener = (...args: any[]) => void;

/**
 * What the adapter uses of an opossum 10 `CircuitBreaker`. Opossum is not a dependency of this
 * package: the user's breaker is taken as it is, by these members only.
 */
export interface OpossumBreaker {
  readonly name: string;
  readonly enabled: boolean;
  readonly isShutdown: boolean;
  open(): void;
  close(): void;
  enable(): void;
  disable(): void;
  on(event: string, listener: Listener): unknown;
  removeListener(event: string, listener: Listener): unknown;
}

/** The admin states: leaving one of them for CLOSED is a reset. */
const ADMIN: ReadonlySet<BreakerState> = new Set(['FORCED_OPEN', 'DISABLED']);

/**
 * Reports every outcome of an opossum breaker to the platform breaker `name` (default: opossum's
 * own name), and applies the platform's admin states to it. Resolves once the platform breaker is
 * registered and mirrored; answers a function that removes every listener added here.
 */
export async function reportOpossum(
  platform: Pick<Platform, 'breaker'>,
  breaker: OpossumBreaker,
  name: string = breaker.name,
): Promise<() => void> {
  const guarded = await platform.breaker(name);
  // While FORCED_OPEN, opossum is held open: it would go half-open after its resetTimeout, or be closed by hand.
  let held = false;
  const hold = () => {
    if (held && !breaker.isShutdown) breaker.open();
  };

  const listeners: Record<string, Listener> = {
    // One outcome per call that ran: opossum follows each `timeout` with a `failure` (or a `success`,
    // when its errorFilter excuses the error), with the same error and latency; so `timeout` itself is not counted again.
    success: (_result: unknown, latencyMs: number) => guarded.record({ success: true, durationMs: latencyMs }),
    failure: (error: unknown, latencyMs: number) => guarded.record({ success: false, durationMs: latencyMs, error }),
    // Refused by opossum (open), without running: a failure with no duration.
    reject: (error: unknown) => guarded.record({ success: false, error }),
    halfOpen: hold,
    close: hold,
  };

  /**
   * Only the admin states are carried over; OPEN and HALF_OPEN, the platform's or the local
   * engine's in fail-static (which makes no admin move), are left to opossum's own logic.
   */
  const apply = (from: BreakerState | null, to: BreakerState) => {
    // A shut-down opossum breaker has dropped its listeners and must stay shut.
    if (breaker.isShutdown) return;
    held = to === 'FORCED_OPEN';
    if (to === 'DISABLED') return breaker.disable();
    if (!breaker.enabled && (held || from === 'DISABLED')) breaker.enable();
    if (held) breaker.open();
    else if (to === 'CLOSED' && from !== null && ADMIN.has(from)) breaker.close();
  };
  const onStateChange = ({ from, to }: StateChange) => apply(from, to);

  for (const [event, listener] of Object.entries(listeners)) breaker.on(event, listener);
  guarded.on('stateChange', onStateChange);
  apply(null, guarded.state);

  // Detaching leaves opossum as it is, no longer held.
  return () => {
    held = false;
    for (const [event, listener] of Object.entries(listeners)) breaker.removeListener(event, listener);
    guarded.removeListener('stateChange', onStateChange);
  };
}
