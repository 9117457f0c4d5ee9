/** The states a breaker can be in. Admin states (FORCED_OPEN, DISABLED) are only left through an admin action. */
export enum BreakerState {
  CLOSED = 'CLOSED',
  OPEN = 'OPEN',
  HALF_OPEN = 'HALF_OPEN',
  FORCED_OPEN = 'FORCED_OPEN',
  DISABLED = 'DISABLED',
}

/** States in which the protected dependency counts as down: time spent here adds to `circuitOpenDurationMs`. */
export const AWAY_STATES: ReadonlySet<BreakerState> = new Set([
  BreakerState.OPEN,
  BreakerState.HALF_OPEN,
  BreakerState.FORCED_OPEN,
]);
