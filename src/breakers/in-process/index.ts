export * from './breaker-open.error';
export * from './circuit-breaker';
export * from './recovery-monitor';
