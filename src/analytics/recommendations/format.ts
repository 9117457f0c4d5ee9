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
