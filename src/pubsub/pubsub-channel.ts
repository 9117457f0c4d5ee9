/** Every channel the platform publishes on. Values are Postgres LISTEN/NOTIFY channel names. */
export enum PubSubChannel {
  /** Recovery events, as committed. */
  RECOVERY_EVENTS = 'breakers_recovery_events',
  /** A breaker's health grade changed. */
  HEALTH_CHANGED = 'breakers_health_changed',
  /** A new recovery report is stored; receivers read it from the database. */
  REPORT_UPDATED = 'breakers_report_updated',
  /** An API key was revoked; every instance closes the connections it authenticated. */
  KEY_REVOKED = 'breakers_key_revoked',
  /** An instance heard a revocation and acted on it; the revoking instance waits for every one. */
  KEY_REVOCATION_HEARD = 'breakers_key_revocation_heard',
}
