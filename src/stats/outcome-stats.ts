import { normaliseError } from './error-message';

/**
 * Each of `errors` normalised, in order; null where there is none: the messages OutcomeStats'
 * `addMessage` counts, worked out before the transaction that adds the outcomes rather than while
 * it holds the breakers' row locks. A batch's texts are mostly distinct before normalisation
 * (their numbers differ), and looking each up in a map of the batch's texts cost several times
 * what normalising it again does; a text equal to the one before it is not normalised again.
 */
export function errorMessages(errors: readonly (string | null | undefined)[]): (string | null)[] {
  const messages: (string | null)[] = [];
  let lastText: string | null = null;
  let lastMessage = '';
  for (const error of errors) {
    if (error === null || error === undefined) messages.push(null);
    else if (error === lastText) messages.push(lastMessage);
    else messages.push((lastMessage = normaliseError((lastText = error))));
  }
  return messages;
}
import { Histogram, record } from './latency-histogram';

export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;
/** The most messages kept per breaker per hour: the most frequent. */
export const MAX_MESSAGES_PER_HOUR = 20;

/** One breaker's calls in one minute (of their `occurredAt`), as one transaction saw them. */
export interface MinuteStats {
  readonly breakerId: number;
  /** Epoch ms, a multiple of MINUTE_MS. */
  readonly minuteStart: number;
  calls: number;
  failures: number;
  slowCalls: number;
  /** The durations of the calls that had one. */
  readonly latency: Histogram;
  /** The largest of those durations; null when none had one. */
  maxMs: number | null;
}

/** How often one normalised message came up for one breaker in one hour. */
export interface ErrorStats {
  readonly breakerId: number;
  /** Epoch ms, a multiple of HOUR_MS. */
  readonly hourStart: number;
  readonly message: string;
  count: number;
  firstSeenAt: number;
  lastSeenAt: number;
}

/** One breaker's outcomes over the whole transaction, whatever their minute: for the Prometheus series. */
export interface BreakerTotals {
  readonly breakerId: number;
  readonly breakerName: string;
  calls: number;
  failures: number;
  slowCalls: number;
  /** Calls per coarse duration bucket: `[i]` counts durations ≤ bounds[i] and > bounds[i-1]; the last, those above every bound. */
  readonly durationCounts: number[];
  /** The sum of the durations, in ms. */
  durationSumMs: number;
}

interface BreakerEntry {
  readonly totals: BreakerTotals;
  readonly minutes: Map<number, MinuteStats>;
  /** The minute most outcomes of a batch fall in: looked up first. */
  lastMinute: MinuteStats | null;
  readonly hours: Map<number, Map<string, ErrorStats>>;
  /** Likewise the hour of the last error. */
  lastHour: { start: number; messages: Map<string, ErrorStats> } | null;
}

/**
 * Adds up the statistics of one transaction's outcomes, fed once per outcome in order: per breaker
 * and minute (calls, failures, slow calls, latency histogram, max), per breaker, hour and normalised
 * error message (count, first and last seen), and per breaker (for Prometheus). Pure and in memory;
 * the stats store writes what it holds, set-based. A batch holds up to 10,000 outcomes, so the
 * per-outcome work is a few map lookups, and each distinct error text given to `add` is
 * normalised once.
 */
export class OutcomeStats {
  private readonly breakers = new Map<number, BreakerEntry>();
  private readonly normalised = new Map<string, string>();
  private outcomes = 0;

  /**
   * @param durationBoundsMs ascending upper bounds of the coarse duration buckets in BreakerTotals.
   * @param normalise how an error text becomes the message counted (a seam for tests).
   */
  constructor(
    private readonly durationBoundsMs: readonly number[] = [],
    private readonly normalise: (error: string) => string = normaliseError,
  ) {}

  /** How many outcomes were added. */
  get size(): number {
    return this.outcomes;
  }

  /**
   * Adds one outcome. `durationMs` null: a call of unknown duration (counted, with no latency).
   * `error` null or empty after normalisation: no message is counted.
   */
  add(
    breakerId: number,
    breakerName: string,
    occurredAt: number,
    success: boolean,
    durationMs: number | null,
    slow: boolean,
    error: string | null,
  ): void {
    this.addMessage(
      breakerId,
      breakerName,
      occurredAt,
      success,
      durationMs,
      slow,
      error === null ? null : this.messageOf(error),
    );
  }

  /** As `add`, with the error text already normalised (see `errorMessages`): null or empty, no message is counted. */
  addMessage(
    breakerId: number,
    breakerName: string,
    occurredAt: number,
    success: boolean,
    durationMs: number | null,
    slow: boolean,
    message: string | null,
  ): void {
    this.outcomes++;
    const entry = this.entryOf(breakerId, breakerName);
    const minute = this.minuteOf(entry, breakerId, occurredAt);
    const totals = entry.totals;
    minute.calls++;
    totals.calls++;
    if (!success) {
      minute.failures++;
      totals.failures++;
    }
    if (slow) {
      minute.slowCalls++;
      totals.slowCalls++;
    }
    if (durationMs !== null) {
      record(minute.latency, durationMs);
      if (minute.maxMs === null || durationMs > minute.maxMs) minute.maxMs = durationMs;
      totals.durationCounts[this.durationBucket(durationMs)]++;
      totals.durationSumMs += durationMs;
    }
    if (message !== null && message !== '') this.countMessage(entry, breakerId, occurredAt, message);
  }

  /** Every breaker-minute touched, by breaker then minute. */
  minutes(): MinuteStats[] {
    const rows: MinuteStats[] = [];
    for (const id of this.sortedIds()) {
      const minutes = [...this.breakers.get(id)!.minutes.values()];
      rows.push(...minutes.sort((a, b) => a.minuteStart - b.minuteStart));
    }
    return rows;
  }

  /**
   * Every breaker-hour's messages, at most MAX_MESSAGES_PER_HOUR each: the most frequent, ties to
   * the most recently seen, then by message. By breaker, hour, then that order.
   */
  errors(): ErrorStats[] {
    const rows: ErrorStats[] = [];
    for (const id of this.sortedIds()) {
      const hours = [...this.breakers.get(id)!.hours.entries()].sort((a, b) => a[0] - b[0]);
      for (const [, messages] of hours) rows.push(...topMessages([...messages.values()]).sort(compareMessages));
    }
    return rows;
  }

  /** The same messages as `errors`, in no particular order: sorted only where an hour has more than 20 to choose from. */
  keptErrors(): ErrorStats[] {
    const rows: ErrorStats[] = [];
    for (const entry of this.breakers.values()) {
      for (const messages of entry.hours.values()) rows.push(...topMessages([...messages.values()]));
    }
    return rows;
  }

  /** Per breaker, in order of first outcome. */
  totals(): BreakerTotals[] {
    return [...this.breakers.values()].map((e) => e.totals);
  }

  private entryOf(breakerId: number, breakerName: string): BreakerEntry {
    let entry = this.breakers.get(breakerId);
    if (entry === undefined) {
      entry = {
        totals: {
          breakerId,
          breakerName,
          calls: 0,
          failures: 0,
          slowCalls: 0,
          durationCounts: new Array<number>(this.durationBoundsMs.length + 1).fill(0),
          durationSumMs: 0,
        },
        minutes: new Map(),
        lastMinute: null,
        hours: new Map(),
        lastHour: null,
      };
      this.breakers.set(breakerId, entry);
    }
    return entry;
  }

  private minuteOf(entry: BreakerEntry, breakerId: number, occurredAt: number): MinuteStats {
    const minuteStart = Math.floor(occurredAt / MINUTE_MS) * MINUTE_MS;
    if (entry.lastMinute?.minuteStart === minuteStart) return entry.lastMinute;
    let minute = entry.minutes.get(minuteStart);
    if (minute === undefined) {
      minute = { breakerId, minuteStart, calls: 0, failures: 0, slowCalls: 0, latency: new Map(), maxMs: null };
      entry.minutes.set(minuteStart, minute);
    }
    entry.lastMinute = minute;
    return minute;
  }

  private messageOf(error: string): string {
    let message = this.normalised.get(error);
    if (message === undefined) {
      message = this.normalise(error);
      this.normalised.set(error, message);
    }
    return message;
  }

  private countMessage(entry: BreakerEntry, breakerId: number, occurredAt: number, message: string): void {
    const hourStart = Math.floor(occurredAt / HOUR_MS) * HOUR_MS;
    let messages: Map<string, ErrorStats> | undefined;
    if (entry.lastHour?.start === hourStart) messages = entry.lastHour.messages;
    else {
      messages = entry.hours.get(hourStart);
      if (messages === undefined) entry.hours.set(hourStart, (messages = new Map()));
      entry.lastHour = { start: hourStart, messages };
    }
    const seen = messages.get(message);
    if (seen === undefined) {
      messages.set(message, {
        breakerId,
        hourStart,
        message,
        count: 1,
        firstSeenAt: occurredAt,
        lastSeenAt: occurredAt,
      });
    } else {
      seen.count++;
      if (occurredAt < seen.firstSeenAt) seen.firstSeenAt = occurredAt;
      if (occurredAt > seen.lastSeenAt) seen.lastSeenAt = occurredAt;
    }
  }

  /** Prometheus `le` semantics: the first bound at or above the duration. */
  private durationBucket(durationMs: number): number {
    const bounds = this.durationBoundsMs;
    let i = 0;
    while (i < bounds.length && durationMs > bounds[i]) i++;
    return i;
  }

  private sortedIds(): number[] {
    return [...this.breakers.keys()].sort((a, b) => a - b);
  }
}

/** The order messages are kept in, here and in the store's trim: most frequent, then most recent, then by text. */
export function compareMessages(a: ErrorStats, b: ErrorStats): number {
  return (
    b.count - a.count || b.lastSeenAt - a.lastSeenAt || (a.message < b.message ? -1 : a.message > b.message ? 1 : 0)
  );
}

function topMessages(messages: ErrorStats[]): ErrorStats[] {
  return messages.length <= MAX_MESSAGES_PER_HOUR
    ? messages
    : messages.sort(compareMessages).slice(0, MAX_MESSAGES_PER_HOUR);
}
