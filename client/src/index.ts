export { DEFAULT_REQUEST_TIMEOUT_MS, GraphqlHttp, PlatformRequestError } from './graphql-http';
export type { FailureCode, GraphqlHttpOptions } from './graphql-http';
export {
  DEFAULT_FLUSH_INTERVAL_MS,
  DEFAULT_MAX_BATCH_SIZE,
  DEFAULT_MAX_BUFFERED_OUTCOMES,
  OutcomeReporter,
} from './outcome-reporter';
export type { OutcomeReporterOptions, ReportedOutcome, ReporterStats, SendBatch } from './outcome-reporter';
export { recordOutcomesSender } from './record-outcomes';
export { BreakerOpenError } from './breaker-open.error';
export { GuardedBreaker } from './guarded-breaker';
export type { BreakerState, KnownBreaker, Permission, StateChange } from './guarded-breaker';
export { connect, Platform } from './platform';
export type { BreakerOptions, ConnectOptions, LocalModeChange, PlatformStats } from './platform';
export { closeOnSignals } from './shutdown';
export type { Closable, CloseOnSignalsOptions } from './shutdown';
export { reportOpossum } from './adapters/opossum';
export type { OpossumBreaker } from './adapters/opossum';
export { reportCockatiel } from './adapters/cockatiel';
export type { CockatielPolicy } from './adapters/cockatiel';
