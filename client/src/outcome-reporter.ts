import { randomUUID } from 'node:crypto';
import { PlatformRequestError } from './graphql-http';
import { OutcomeRing } from './outcome-ring';

/** One guarded call's outcome, as `recordOutcomes` takes it. */
export interface ReportedOutcome {
  readonly breakerName: string;
  readonly success: boolean;
  /** When the call ended: ISO 8601, or epoch ms (sent as ISO 8601). */
  readonly occurredAt: string | number;
  readonly durationMs?: number;
  readonly error?: string;
  readonly permitId?: string;
}

/** Sends one batch; resolves once the platform has committed it (or had, under the same id). */
export type SendBatch = (batchId: string, outcomes: readonly ReportedOutcome[]) => Promise<void>;

export interface OutcomeReporterOptions {
  readonly send: SendBatch;
  /** How often buffered outcomes are sent. Default 100. */
  readonly flushIntervalMs?: number;
  /** Past this many waiting outcomes the oldest are dropped, and counted. Default 100,000. */
  readonly maxBufferedOutcomes?: number;
  /** The most outcomes in one batch; this many waiting are sent at once. Default 1,000. */
  readonly maxBatchSize?: number;
  /** The first retry's delay; it doubles on each failure up to maxRetryDelayMs. Defaults 100 and 10,000. */
  readonly minRetryDelayMs?: number;
  readonly maxRetryDelayMs?: number;
  /** Told of every failed send and every batch the platform refused for good. */
  readonly onError?: (error: Error) => void;
}

export interface ReporterStats {
  /** Outcomes waiting, the batch in flight included. */
  readonly buffered: number;
  /** Outcomes dropped because the buffer was full. */
  readonly dropped: number;
  /** Outcomes in batches the platform refused for good (a mistake in them, an unknown breaker, a refused key). */
  readonly rejected: number;
  /** Outcomes the platform has acknowledged. */
  readonly delivered: number;
  /** Batches acknowledged. */
  readonly flushes: number;
  /** When a batch was last acknowledged (epoch ms); null before the first. */
  readonly lastFlushAt: number | null;
}

interface Batch {
  readonly id: string;
  /** The sequence number (order of adding) of its first outcome; the rest follow without a gap. */
  readonly firstSeq: number;
  readonly outcomes: ReportedOutcome[];
  attempt: number;
}

export const DEFAULT_FLUSH_INTERVAL_MS = 100;
export const DEFAULT_MAX_BUFFERED_OUTCOMES = 100_000;
/** What `recordOutcomes` takes at most is 10,000; smaller batches commit sooner and retry cheaper. */
export const DEFAULT_MAX_BATCH_SIZE = 1_000;
/**
 * A batch is cut short before its JSON could pass this (the platform takes requests up to 5 MB):
 * 1,000 outcomes with 2,000-character errors that escape to 6 bytes a character would not fit.
 */
const MAX_BATCH_BYTES = 1_000_000;

/**
 * Outcomes buffered and sent in batches, exactly once: a batch gets a fresh id when it is cut,
 * and is retried with that same id (with backoff, honouring the platform's `retryAfterMs`) until
 * the platform acknowledges it, so that a batch whose answer was lost is not counted twice.
 * One batch is in flight at a time, so outcomes arrive in the order they were added.
 * Memory is bounded: past `maxBufferedOutcomes` waiting, the oldest are dropped and counted.
 */
export class OutcomeReporter {
  private readonly send: SendBatch;
  private readonly flushIntervalMs: number;
  private readonly maxBuffered: number;
  private readonly maxBatchSize: number;
  private readonly minRetryDelayMs: number;
  private readonly maxRetryDelayMs: number;
  private readonly onError: (error: Error) => void;

  /** The outcomes waiting, oldest first; the batch in flight is not among them. */
  private readonly ring: OutcomeRing;
  private inFlight: Batch | null = null;
  private sending = false;
  private timer: NodeJS.Timeout | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  private closed = false;
  /** Outcomes ever added: the next one's sequence number. */
  private added = 0;
  /** Each flush() waiting for the outcomes up to `upTo` to settle. */
  private waiters: { upTo: number; wake: () => void }[] = [];
  private counts = { dropped: 0, rejected: 0, delivered: 0, flushes: 0 };
  private lastFlushAt: number | null = null;

  constructor(options: OutcomeReporterOptions) {
    this.send = options.send;
    this.flushIntervalMs = positive(options.flushIntervalMs ?? DEFAULT_FLUSH_INTERVAL_MS, 'flushIntervalMs');
    this.maxBuffered = positive(options.maxBufferedOutcomes ?? DEFAULT_MAX_BUFFERED_OUTCOMES, 'maxBufferedOutcomes');
    this.maxBatchSize = positive(options.maxBatchSize ?? DEFAULT_MAX_BATCH_SIZE, 'maxBatchSize');
    if (this.maxBatchSize > 10_000)
      throw new RangeError('maxBatchSize must be at most 10000, what recordOutcomes takes');
    this.minRetryDelayMs = positive(options.minRetryDelayMs ?? 100, 'minRetryDelayMs');
    this.maxRetryDelayMs = positive(options.maxRetryDelayMs ?? 10_000, 'maxRetryDelayMs');
    this.onError = options.onError ?? (() => undefined);
    this.ring = new OutcomeRing(this.maxBuffered);
    this.timer = setInterval(() => this.pump(), this.flushIntervalMs);
    this.timer.unref();
  }

  /** Buffers an outcome; sent within flushIntervalMs, or at once when a batch's worth is waiting. */
  add(outcome: ReportedOutcome): void {
    if (this.closed) throw new Error('the reporter is closed');
    this.added++;
    this.afterAdd(this.ring.pushObject(outcome));
  }

  /** A number for `breakerName`, for `addCall`. */
  nameId(breakerName: string): number {
    return this.ring.nameId(breakerName);
  }

  /**
   * As `add`, field by field, with the breaker's `nameId`: what a guarded call uses, since it
   * makes no object. `occurredAt` is epoch ms; a NaN `durationMs` means none.
   */
  addCall(
    nameId: number,
    success: boolean,
    occurredAt: number,
    durationMs: number,
    error?: string,
    permitId?: string,
  ): void {
    if (this.closed) throw new Error('the reporter is closed');
    this.added++;
    this.afterAdd(this.ring.push(nameId, success, occurredAt, durationMs, error, permitId));
  }

  private afterAdd(droppedOldest: boolean): void {
    if (droppedOldest) {
      this.counts.dropped++;
      if (this.waiters.length > 0) this.wakeFlushes();
    }
    if (this.ring.size >= this.maxBatchSize && !this.sending && this.retryTimer === null) this.pump();
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Counts an outcome that could not be buffered (made after close) as dropped. */
  countDropped(): void {
    this.counts.dropped++;
  }

  /** Sends whatever is waiting now, without waiting for the interval. */
  flushSoon(): void {
    this.pump();
  }

  stats(): ReporterStats {
    return {
      buffered: this.ring.size + (this.inFlight?.outcomes.length ?? 0),
      ...this.counts,
      lastFlushAt: this.lastFlushAt,
    };
  }

  /**
   * Resolves once every outcome added before the call is acknowledged, refused or dropped, or
   * after `timeoutMs`; with how many of those are still unsent (0 when all went). Outcomes added
   * meanwhile are not waited for: under steady traffic the buffer is never empty.
   */
  async flush(timeoutMs = 10_000): Promise<number> {
    const upTo = this.added;
    this.pump();
    if (this.unsettledBefore(upTo) === 0) return 0;
    let timer: NodeJS.Timeout | undefined;
    let waiter: { upTo: number; wake: () => void } | undefined;
    await new Promise<void>((resolve) => {
      waiter = { upTo, wake: resolve };
      this.waiters.push(waiter);
      timer = setTimeout(resolve, timeoutMs);
    });
    clearTimeout(timer);
    // Timed out: no longer waiting.
    this.waiters = this.waiters.filter((w) => w !== waiter);
    return this.unsettledBefore(upTo);
  }

  /**
   * Flushes what was added before the call (within `timeoutMs`), then stops; answers the outcomes
   * left unsent, those added meanwhile included. Nothing can be added after.
   */
  async close(timeoutMs = 10_000): Promise<number> {
    if (this.closed) return this.stats().buffered;
    await this.flush(timeoutMs);
    this.closed = true;
    // Everything left, outcomes added while the flush ran included.
    const unsent = this.stats().buffered;
    if (this.timer) clearInterval(this.timer);
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.timer = this.retryTimer = null;
    return unsent;
  }

  /** Starts the next send unless one is in flight or waiting to be retried. */
  private pump(): void {
    if (this.sending || this.retryTimer !== null || this.closed) return;
    if (this.inFlight === null) {
      if (this.ring.size === 0) return;
      const firstSeq = this.added - this.ring.size;
      const outcomes = this.ring.shift(this.maxBatchSize, MAX_BATCH_BYTES);
      this.inFlight = { id: randomUUID(), firstSeq, outcomes, attempt: 0 };
    }
    void this.sendInFlight(this.inFlight);
  }

  private async sendInFlight(batch: Batch): Promise<void> {
    this.sending = true;
    let retryInMs: number | null = null;
    try {
      await this.send(batch.id, batch.outcomes);
      this.counts.delivered += batch.outcomes.length;
      this.counts.flushes++;
      this.lastFlushAt = Date.now();
      this.inFlight = null;
      this.wakeFlushes();
    } catch (error) {
      const failure = error instanceof Error ? error : new Error(String(error));
      this.onError(failure);
      if (failure instanceof PlatformRequestError && !failure.retryable) {
        this.counts.rejected += batch.outcomes.length;
        this.inFlight = null;
        this.wakeFlushes();
      } else {
        batch.attempt++;
        const backoff = Math.min(this.maxRetryDelayMs, this.minRetryDelayMs * 2 ** (batch.attempt - 1));
        const asked = failure instanceof PlatformRequestError ? (failure.retryAfterMs ?? 0) : 0;
        retryInMs = Math.max(backoff, asked);
      }
    } finally {
      this.sending = false;
    }
    if (retryInMs !== null) {
      this.retryTimer = setTimeout(() => {
        this.retryTimer = null;
        this.pump();
      }, retryInMs);
      this.retryTimer.unref();
      return;
    }
    // More may be waiting already: a backlog goes out batch after batch, not one per interval,
    // and so does whatever a flush() waits for.
    if (this.ring.size >= this.maxBatchSize || this.waiters.length > 0)
      this.pump();
  }

  /**
   * How many of the outcomes numbered below `upTo` have not left for good (acknowledged, refused
   * or dropped): those of the batch in flight, then those waiting. Both runs are without gaps, as
   * drops take the oldest waiting outcome, which is newer than the batch in flight.
   */
  private unsettledBefore(upTo: number): number {
    const batch = this.inFlight;
    const inBatch = batch === null ? 0 : Math.max(0, Math.min(batch.outcomes.length, upTo - batch.firstSeq));
    const firstWaiting = this.added - this.ring.size;
    return inBatch + Math.max(0, upTo - firstWaiting);
  }

  /** Wakes the flushes whose outcomes have all left. */
  private wakeFlushes(): void {
    if (this.waiters.length === 0) return;
    const waiting = [];
    for (const waiter of this.waiters) {
      if (this.unsettledBefore(waiter.upTo) === 0) waiter.wake();
      else waiting.push(waiter);
    }
    this.waiters = waiting;
  }
}

function positive(value: number, name: string): number {
  if (!Number.isFinite(value) || value <= 0) throw new RangeError(`${name} must be a positive number, got ${value}`);
  return value;
}
