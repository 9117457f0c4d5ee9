/** Every GraphQL document the dashboard sends, in one place. */

export const VIEWER = `{ viewer { name role scope } }`;

export const TILE_FIELDS = 'name state health stateChangedAt openUntil';

export const FLEET = `query($since: DateTime) {
  breakers { ${TILE_FIELDS} }
  breakerActivity(since: $since, stepMs: 300000) { breakerName calls failures }
}`;

export const OVERALL = `{ recoveryReport { overallSystemHealth generatedAt } }`;

export const STATE_CHANGES = `subscription { breakerStateChanged { breakerName from to at eventId } }`;
export const HEALTH_CHANGES = `subscription { healthChanged { breakerName to } }`;
export const REPORT_UPDATES = `subscription { recoveryReportUpdated { overallSystemHealth generatedAt } }`;

const CONFIG_FIELDS =
  'tripOn failureThreshold openTimeoutMs maxOpenTimeoutMs halfOpenMaxCalls successThreshold windowMs windowBuckets minimumCalls failureRateThreshold slowCallDurationMs slowCallRateThreshold permitTimeoutMs';

export const BREAKER = `query($name: String!) {
  breaker(name: $name) {
    ${TILE_FIELDS} consecutiveFailures currentOpenTimeoutMs
    config { ${CONFIG_FIELDS} }
    metrics { totalCalls totalFailures recoveryAttempts successfulRecoveries failedRecoveries consecutiveFailedRecoveries averageRecoveryTimeMs circuitOpenDurationMs lastFailureAt lastRecoveryAt }
  }
}`;

export const EVENT_FIELDS = 'id type fromState toState occurredAt info';

export const EVENTS = `query($name: String!, $after: String, $first: Int, $types: [RecoveryEventType!]) {
  breakerEvents(breakerName: $name, after: $after, first: $first, types: $types) {
    edges { cursor node { ${EVENT_FIELDS} } }
    pageInfo { endCursor hasNextPage }
  }
}`;

export const LIVE_EVENTS = `subscription($name: String!) { recoveryEvents(breakerName: $name) { ${EVENT_FIELDS} } }`;

export const STATS = `query($name: String!, $since: DateTime, $step: Float) {
  breakerStats(breakerName: $name, since: $since, stepMs: $step) { at calls failures p50Ms p99Ms }
}`;

export const ERRORS = `query($name: String!, $since: DateTime) {
  breakerErrors(breakerName: $name, since: $since, first: 10) { message count lastSeenAt }
}`;

export const RECOMMENDATIONS = `{
  recoveryReport { generatedAt recommendations { breakerName kind severity message evidence suggestedConfig } }
}`;

const RETURNED = `{ ${TILE_FIELDS} }`;
export const RESET = `mutation($name: String!, $reason: String) { resetBreaker(name: $name, reason: $reason) ${RETURNED} }`;
export const FORCE_OPEN = `mutation($name: String!, $reason: String) { forceOpenBreaker(name: $name, reason: $reason) ${RETURNED} }`;
export const DISABLE = `mutation($name: String!, $reason: String) { disableBreaker(name: $name, reason: $reason) ${RETURNED} }`;
export const UPDATE_CONFIG = `mutation($name: String!, $config: BreakerConfigInput!, $reason: String) {
  updateBreakerConfig(name: $name, config: $config, reason: $reason) ${RETURNED}
}`;
