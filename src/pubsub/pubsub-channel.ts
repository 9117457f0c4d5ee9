/** Every channel the platform publishes on. Values are Postgres LISTEN/NOTIFY channel names. */
export enum PubSubChannel {
  /** Recovery events, as committed. */
  RECOVERY_EVENTS = 'breakers_recovery_events',
}
