/**
 * Thrown by `execute` when the breaker refuses the call; the function was not called. The very
 * class the in-process `CircuitBreaker` throws, so one `instanceof` covers both, fail-static included.
 */
export { BreakerOpenError } from '../../src/breakers/in-process/breaker-open.error';
