/** "62.5 s", "850 ms", "3.2 min": durations as an operator reads them. */
export function duration(ms: number): string {
  if (Math.round(ms) < 1000) return `${Math.round(ms)} ms`;
  if (ms < 120_000) return `${round(ms / 1000)} s`;
  if (ms < 3_600_000) return `${round(ms / 60_000)} min`;
  return `${round(ms / 3_600_000)} h`;
}

export function percent(ratio: number): string {
  return `${round(ratio * 100)}%`;
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}

/**
 * A suggested duration an operator can read: `ms` rounded up to two significant figures, and to a
 * whole millisecond at least (87.2 → 88, 456 → 460, 1001 → 1100, 12 345 → 13 000). Never below `ms`.
 */
export function ceilReadable(ms: number): number {
  const step = Math.max(1, 10 ** (Math.floor(Math.log10(ms)) - 1));
  return Math.ceil(ms / step) * step;
}
