/** The shapes the dashboard reads, as the API answers them. */

export type BreakerState = 'CLOSED' | 'OPEN' | 'HALF_OPEN' | 'FORCED_OPEN' | 'DISABLED';
export type HealthStatus = 'HEALTHY' | 'DEGRADED' | 'UNHEALTHY' | 'CRITICAL';
export type Role = 'VIEWER' | 'REPORTER' | 'ADMIN';
export type Severity = 'CRITICAL' | 'WARNING' | 'INFO';

export interface Viewer {
  name: string;
  role: Role;
  scope: string | null;
}

export interface TileBreaker {
  name: string;
  state: BreakerState;
  health: HealthStatus;
  stateChangedAt: string;
  openUntil: string | null;
}

export interface Activity {
  breakerName: string;
  calls: number[];
  failures: number[];
}

/** A tile's data: the breaker, and its last hour in five-minute steps. */
export interface Tile extends TileBreaker {
  calls: number[];
  failures: number[];
  /** Calls over the range read (about the last hour). */
  volume: number;
  /** volume over the minutes the range covers. */
  perMinute: number;
  /** Failures ÷ calls × 100 over the last hour; null without calls. */
  failureRate: number | null;
}

export interface RecoveryEvent {
  id: string;
  type: string;
  fromState: BreakerState | null;
  toState: BreakerState | null;
  occurredAt: string;
  info: Record<string, unknown>;
}

export interface Recommendation {
  breakerName: string;
  kind: string;
  severity: Severity;
  message: string;
  evidence: Record<string, unknown>;
  suggestedConfig: Record<string, unknown> | null;
}

export interface StatsPoint {
  at: string;
  calls: number;
  failures: number;
  p50Ms: number | null;
  p99Ms: number | null;
}

export interface ErrorCount {
  message: string;
  count: number;
  lastSeenAt: string;
}

export const STATES: BreakerState[] = ['OPEN', 'FORCED_OPEN', 'HALF_OPEN', 'DISABLED', 'CLOSED'];

/** The words shown with each state's colour, so that nothing rests on colour alone. */
export const STATE_LABELS: Record<BreakerState, string> = {
  CLOSED: 'Closed',
  OPEN: 'Open',
  HALF_OPEN: 'Half-open',
  FORCED_OPEN: 'Forced open',
  DISABLED: 'Disabled',
};

/**
 * The Okabe–Ito palette, which stays distinct under the common colour-vision deficiencies; the
 * stylesheet uses the same values (`--state-*`), and the charts read them from here.
 */
export const STATE_COLOURS: Record<BreakerState, string> = {
  CLOSED: '#009e73',
  OPEN: '#d55e00',
  HALF_OPEN: '#e69f00',
  FORCED_OPEN: '#cc79a7',
  DISABLED: '#8a8a8a',
};

export const SEVERITY_ORDER: Record<Severity, number> = { CRITICAL: 0, WARNING: 1, INFO: 2 };
