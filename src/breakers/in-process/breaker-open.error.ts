import { BreakerState } from '../engine';

/** Thrown by `CircuitBreaker.execute` when the breaker refuses the call. */
export class BreakerOpenError extends Error {
  constructor(
    readonly breakerName: string,
    readonly state: BreakerState,
  ) {
    super(`circuit breaker "${breakerName}" is ${state}: call refused`);
    this.name = 'BreakerOpenError';
  }
}
