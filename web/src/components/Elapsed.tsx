import { useEffect, useState } from 'preact/hooks';
import { formatDuration } from '../format';

/** One timer for every clock on the page: each subscriber re-renders only its own text. */
const ticks = new Set<(now: number) => void>();
let timer: ReturnType<typeof setInterval> | null = null;

function onTick(listener: (now: number) => void): () => void {
  ticks.add(listener);
  timer ??= setInterval(() => {
    const now = Date.now();
    ticks.forEach((tick) => tick(now));
  }, 1000);
  return () => {
    ticks.delete(listener);
    if (ticks.size === 0 && timer !== null) {
      clearInterval(timer);
      timer = null;
    }
  };
}

/** "for 4 min 10 s", or, while an open period runs, "half-opens in 12 s". */
export function Elapsed({ since, until }: { since: string; until?: string | null }) {
  const [now, setNow] = useState(Date.now());
  useEffect(() => onTick(setNow), []);
  if (until) {
    const left = new Date(until).getTime() - now;
    if (left > 0) return <span class="countdown">half-opens in {formatDuration(left + 999)}</span>;
  }
  return <span>for {formatDuration(now - new Date(since).getTime())}</span>;
}
