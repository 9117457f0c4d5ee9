/** What a recovery event records. Events mark transitions and admin actions only, never a plain outcome. */
export enum RecoveryEventType {
  /**
   * `info` always carries `openTimeoutMs` and `openUntil` (ISO), and leads with why it opened:
   * - from CLOSED under CONSECUTIVE_FAILURES: `consecutiveFailures`, `failureThreshold`, and, only
   *   when `slowCallDurationMs` is set, `slow` (whether the call that tripped it was slow);
   * - from CLOSED under FAILURE_RATE: the window's `calls`, `failures`, `slowCalls`, `failureRate`
   *   and `slowCallRate` (percent, 0–100), with `minimumCalls`, `failureRateThreshold` and
   *   `slowCallRateThreshold` (no `failureThreshold`: it plays no part);
   * - from HALF_OPEN (a failed or slow trial): `trialSuccesses`, `failureThreshold`, and, only when
   *   `slowCallDurationMs` is set, `slow`.
   */
  CIRCUIT_OPENED = 'CIRCUIT_OPENED',
  CIRCUIT_HALF_OPENED = 'CIRCUIT_HALF_OPENED',
  CIRCUIT_CLOSED = 'CIRCUIT_CLOSED',
  RECOVERY_ATTEMPTED = 'RECOVERY_ATTEMPTED',
  RECOVERY_SUCCEEDED = 'RECOVERY_SUCCEEDED',
  RECOVERY_FAILED = 'RECOVERY_FAILED',
  CIRCUIT_FORCED_OPEN = 'CIRCUIT_FORCED_OPEN',
  CIRCUIT_DISABLED = 'CIRCUIT_DISABLED',
  CIRCUIT_RESET = 'CIRCUIT_RESET',
  CONFIG_CHANGED = 'CONFIG_CHANGED',
}
