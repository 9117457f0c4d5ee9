/** "3 s", "4 min 10 s", "2 h 5 min", "3 d 4 h": a duration as a person reads it. */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${s % 60} s`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} h ${m % 60} min`;
  return `${Math.floor(h / 24)} d ${h % 24} h`;
}

/** A count, shortened past ten thousand: 950, 12.3k, 4.5M. */
export function formatCount(n: number): string {
  if (n < 10_000) return String(Math.round(n * 10) / 10);
  if (n < 1_000_000) return `${(n / 1000).toFixed(1)}k`;
  return `${(n / 1_000_000).toFixed(1)}M`;
}

export function formatPercent(rate: number | null): string {
  return rate === null ? '–' : `${rate < 10 ? rate.toFixed(1) : Math.round(rate)} %`;
}

export function formatMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '–';
  return ms < 1000 ? `${Math.round(ms * 10) / 10} ms` : formatDuration(ms);
}

export function formatTime(iso: string): string {
  return new Date(iso).toLocaleString(undefined, { hour12: false });
}

/** An event's `info`, as short "key: value" pairs. */
export function formatInfo(info: Record<string, unknown>): string {
  return Object.entries(info)
    .map(([key, value]) => `${key}: ${typeof value === 'object' ? JSON.stringify(value) : String(value)}`)
    .join(' · ');
}
