import { Histogram } from './latency-histogram';
import { ErrorStats, HOUR_MS, MINUTE_MS, OutcomeStats } from './outcome-stats';

/**
 * A part: `{ "m": [message, …], "e": [[breaker id, minute ms, [bucket index, count, …], [message number, count, first ms, last ms, …]], …] }`.
 * Messages are written once per part and named by their place in `m`: a fleet's failures mostly
 * share a few messages, and repeating each in every breaker's entry made parts several times larger.
 */
interface Part {
  readonly m: string[];
  readonly e: [number, number, number[], number[]][];
}

/** What a set of parts adds up to: per breaker-minute histograms, and per breaker-hour-message error counts. */
export interface PartSums {
  /** By breaker id, then minute: the order the fold locks minute rows in, as the write path does. */
  readonly latency: { breakerId: number; minuteStart: number; histogram: Histogram }[];
  /** By breaker id, hour, then message. */
  readonly errors: ErrorStats[];
}

/**
 * A transaction's part, as JSON text: one entry per breaker-minute with latency or errors; null
 * when there is none. A breaker-hour's messages (already its 20 most frequent) go with the entry
 * of the minute each was first seen in: `sumParts` adds them up per hour again, so which minute of
 * the hour carries them does not matter.
 */
export function encodePart(stats: OutcomeStats): string | null {
  // Written as text directly, from flat arrays: this runs inside the outcomes' transaction.
  const entries = new Map<string, { head: string; latency: string; errors: string }>();
  const entryOf = (breakerId: number, minuteStart: number) => {
    const key = `${breakerId}:${minuteStart}`;
    let entry = entries.get(key);
    if (entry === undefined)
      entries.set(key, (entry = { head: `[${breakerId},${minuteStart},`, latency: '', errors: '' }));
    return entry;
  };
  for (const m of stats.minutes()) {
    if (m.latency.size === 0) continue;
    let latency = '';
    for (const [index, count] of m.latency) latency += `${latency === '' ? '' : ','}${index},${count}`;
    entryOf(m.breakerId, m.minuteStart).latency = latency;
  }
  const messages = new Map<string, number>();
  for (const e of stats.keptErrors()) {
    let n = messages.get(e.message);
    if (n === undefined) messages.set(e.message, (n = messages.size));
    const entry = entryOf(e.breakerId, Math.floor(e.firstSeenAt / MINUTE_MS) * MINUTE_MS);
    entry.errors += `${entry.errors === '' ? '' : ','}${n},${e.count},${e.firstSeenAt},${e.lastSeenAt}`;
  }
  if (entries.size === 0) return null;
  let text = '';
  for (const { head, latency, errors } of entries.values())
    text += `${text === '' ? '' : ','}${head}[${latency}],[${errors}]]`;
  return `{"m":${JSON.stringify([...messages.keys()])},"e":[${text}]}`;
}

/** Adds up parts written by `encodePart`: in memory, in one pass over them. */
export function sumParts(parts: readonly string[]): PartSums {
  const latency = new Map<string, { breakerId: number; minuteStart: number; histogram: Histogram }>();
  const errors = new Map<string, ErrorStats>();
  for (const text of parts) {
    const part = JSON.parse(text) as Part;
    for (const [breakerId, minuteStart, histogram, counts] of part.e) {
      if (histogram.length > 0) {
        const key = `${breakerId}:${minuteStart}`;
        let sum = latency.get(key);
        if (sum === undefined) latency.set(key, (sum = { breakerId, minuteStart, histogram: new Map() }));
        for (let i = 0; i < histogram.length; i += 2) {
          const index = histogram[i];
          sum.histogram.set(index, (sum.histogram.get(index) ?? 0) + histogram[i + 1]);
        }
      }
      const hourStart = Math.floor(minuteStart / HOUR_MS) * HOUR_MS;
      for (let i = 0; i < counts.length; i += 4) {
        const message = part.m[counts[i]];
        const count = counts[i + 1];
        const first = counts[i + 2];
        const last = counts[i + 3];
        const key = `${breakerId}:${hourStart}:${message}`;
        const seen = errors.get(key);
        if (seen === undefined) {
          errors.set(key, { breakerId, hourStart, message, count, firstSeenAt: first, lastSeenAt: last });
        } else {
          seen.count += count;
          seen.firstSeenAt = Math.min(seen.firstSeenAt, first);
          seen.lastSeenAt = Math.max(seen.lastSeenAt, last);
        }
      }
    }
  }
  return {
    latency: [...latency.values()].sort((a, b) => a.breakerId - b.breakerId || a.minuteStart - b.minuteStart),
    errors: [...errors.values()].sort(
      (a, b) =>
        a.breakerId - b.breakerId ||
        a.hourStart - b.hourStart ||
        (a.message < b.message ? -1 : a.message > b.message ? 1 : 0),
    ),
  };
}
