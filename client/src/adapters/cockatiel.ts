import type { BreakerState } from '../guarded-breaker';
import type { Platform } from '../platform';

interface Disposable {
  dispose(): void;
}

/** Why a call failed, as cockatiel 3 says it: a thrown error, or a result its policy counts as a failure. */
type FailureReason = { readonly error: unknown } | { readonly value: unknown };

interface FailureEvent {
  readonly duration: number;
  /** Whether the policy's filter holds the error (or result) against the dependency. */
  readonly handled: boolean;
  readonly reason: FailureReason;
}

/**
 * What the adapter uses of a cockatiel 3 `CircuitBreakerPolicy`. Cockatiel is not a dependency of
 * this package: the user's policy is taken as it is, by these members only.
 */
export interface CockatielPolicy {
  onSuccess(listener: (event: { readonly duration: number }) => void): Disposable;
  onFailure(listener: (event: FailureEvent) => void): Disposable;
  isolate(): Disposable;
}

/**
 * Reports every outcome of a cockatiel circuit breaker policy to the platform breaker `name`, and
 * holds the policy isolated while the platform's breaker is FORCED_OPEN. Resolves once the
 * platform breaker is registered and mirrored; answers a function that removes every listener
 * added here and releases the isolation.
 */
export async function reportCockatiel(
  platform: Pick<Platform, 'breaker'>,
  policy: CockatielPolicy,
  name: string,
): Promise<() => void> {
  const guarded = await platform.breaker(name);
  // The isolation this adapter holds; other isolations of the policy (the user's own) are left alone.
  let isolation: Disposable | null = null;

  /**
   * Isolated exactly while FORCED_OPEN: a reset, or any other state, releases it. DISABLED has no
   * cockatiel equivalent (a policy cannot be bypassed): it only releases the isolation too.
   */
  const apply = (state: BreakerState) => {
    if (state === 'FORCED_OPEN') {
      isolation ??= policy.isolate();
    } else if (isolation) {
      isolation.dispose();
      isolation = null;
    }
  };

  const onFailure = ({ duration, handled, reason }: FailureEvent) => {
    // An error the policy does not handle is not held against the dependency by cockatiel (it
    // neither trips nor keeps it open): it is reported as a success, as opossum's errorFilter does.
    if (!handled) return guarded.record({ success: true, durationMs: duration });
    const error = 'error' in reason ? reason.error : 'a result the policy counts as a failure';
    guarded.record({ success: false, durationMs: duration, error });
  };
  const subscriptions: Disposable[] = [
    policy.onSuccess(({ duration }) => guarded.record({ success: true, durationMs: duration })),
    policy.onFailure(onFailure),
  ];
  // The local engine's changes in fail-static never reach or leave FORCED_OPEN: they change nothing here.
  const onStateChange = ({ to }: { to: BreakerState }) => apply(to);
  guarded.on('stateChange', onStateChange);
  apply(guarded.state);

  return () => {
    for (const subscription of subscriptions) subscription.dispose();
    guarded.removeListener('stateChange', onStateChange);
    // Cockatiel never leaves an isolation by itself: one left held would refuse every call for good.
    apply('CLOSED');
  };
}
