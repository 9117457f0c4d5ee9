import type { ReportedOutcome } from './outcome-reporter';

/** What an outcome may take in a request's JSON, at most: the fixed fields, and every string escaped at worst. */
function estimatedBytes(o: ReportedOutcome): number {
  const text =
    o.breakerName.length +
    (o.error?.length ?? 0) +
    (o.permitId?.length ?? 0) +
    (typeof o.occurredAt === 'string' ? o.occurredAt.length : 0);
  return 160 + 6 * text;
}

/** The name id of an outcome added as an object (see `pushObject`). */
const AS_OBJECT = 0xffffffff;

/**
 * The outcomes waiting to be sent, oldest first, in a ring of columns rather than one object
 * each. A guarded call adds one at in-process speed: an object per call, kept until it is sent
 * (or dropped), outlives the young generation, and the collector then copies every one; numbers
 * in typed arrays cost it nothing. Objects are made only for the batch being cut.
 *
 * The ring grows by doubling up to `max` outcomes; it never shrinks. The error and permit id
 * columns hold a string or undefined per slot.
 */
export class OutcomeRing {
  private capacity: number;
  private head = 0;
  private count = 0;
  private readonly names: string[] = [];
  private readonly nameIds = new Map<string, number>();
  private name: Uint32Array;
  private success: Uint8Array;
  private at: Float64Array;
  /** NaN: no duration. */
  private duration: Float64Array;
  private error: (string | undefined)[];
  private permitId: (string | undefined)[];
  private object: (ReportedOutcome | undefined)[];

  constructor(
    private readonly max: number,
    initial = 1024,
  ) {
    this.capacity = Math.max(1, Math.min(max, initial));
    this.name = new Uint32Array(this.capacity);
    this.success = new Uint8Array(this.capacity);
    this.at = new Float64Array(this.capacity);
    this.duration = new Float64Array(this.capacity);
    this.error = new Array<string | undefined>(this.capacity).fill(undefined);
    this.permitId = new Array<string | undefined>(this.capacity).fill(undefined);
    this.object = new Array<ReportedOutcome | undefined>(this.capacity).fill(undefined);
  }

  get size(): number {
    return this.count;
  }

  /** A number for the breaker's name, to pass to `push`; the same name always gets the same one. */
  nameId(breakerName: string): number {
    let id = this.nameIds.get(breakerName);
    if (id === undefined) {
      id = this.names.length;
      this.names.push(breakerName);
      this.nameIds.set(breakerName, id);
    }
    return id;
  }

  /** Adds an outcome; answers true when the ring was full and the oldest was dropped for it. */
  push(
    nameId: number,
    success: boolean,
    occurredAt: number,
    durationMs: number,
    error: string | undefined,
    permitId: string | undefined,
  ): boolean {
    const dropped = this.makeRoom();
    const i = this.slot(this.count++);
    this.name[i] = nameId;
    this.success[i] = success ? 1 : 0;
    this.at[i] = occurredAt;
    this.duration[i] = durationMs;
    this.error[i] = error;
    this.permitId[i] = permitId;
    this.object[i] = undefined;
    return dropped;
  }

  /** Adds an outcome as it is given (as `OutcomeReporter.add` takes it); true when the oldest was dropped. */
  pushObject(outcome: ReportedOutcome): boolean {
    const dropped = this.makeRoom();
    const i = this.slot(this.count++);
    this.name[i] = AS_OBJECT;
    this.error[i] = undefined;
    this.permitId[i] = undefined;
    this.object[i] = outcome;
    return dropped;
  }

  /**
   * Removes the oldest `n` (at most `size`) and answers them, oldest first; fewer when their JSON
   * would pass about `maxBytes` (one at least). The estimate is on the high side: a character of
   * an error may take 6 bytes escaped.
   */
  shift(n: number, maxBytes = Number.POSITIVE_INFINITY): ReportedOutcome[] {
    const out: ReportedOutcome[] = [];
    let bytes = 0;
    while (out.length < n && out.length < this.count) {
      const i = this.slot(out.length);
      const outcome = this.outcomeAt(i);
      bytes += estimatedBytes(outcome);
      if (bytes > maxBytes && out.length > 0) break;
      out.push(outcome);
    }
    for (let j = 0; j < out.length; j++) {
      const i = this.slot(j);
      this.error[i] = this.permitId[i] = undefined;
      this.object[i] = undefined;
    }
    this.head = this.slot(out.length);
    this.count -= out.length;
    return out;
  }

  private outcomeAt(i: number): ReportedOutcome {
    if (this.name[i] === AS_OBJECT) return this.object[i]!;
    const outcome: {
      breakerName: string;
      success: boolean;
      occurredAt: number;
      durationMs?: number;
      error?: string;
      permitId?: string;
    } = { breakerName: this.names[this.name[i]], success: this.success[i] === 1, occurredAt: this.at[i] };
    const duration = this.duration[i];
    if (!Number.isNaN(duration)) outcome.durationMs = duration;
    const error = this.error[i];
    if (error !== undefined) outcome.error = error;
    const permitId = this.permitId[i];
    if (permitId !== undefined) outcome.permitId = permitId;
    return outcome;
  }

  /** Grows when full and allowed to; at `max`, drops the oldest. Answers whether one was dropped. */
  private makeRoom(): boolean {
    if (this.count < this.capacity) return false;
    if (this.capacity < this.max) {
      this.grow(Math.min(this.max, this.capacity * 2));
      return false;
    }
    const i = this.head;
    this.error[i] = this.permitId[i] = undefined;
    this.object[i] = undefined;
    this.head = this.slot(1);
    this.count--;
    return true;
  }

  private grow(capacity: number): void {
    const order = Array.from({ length: this.count }, (_, j) => this.slot(j));
    const take = <T extends { [i: number]: unknown }>(from: T, to: T): T => {
      order.forEach((i, j) => (to[j] = from[i]));
      return to;
    };
    this.name = take(this.name, new Uint32Array(capacity));
    this.success = take(this.success, new Uint8Array(capacity));
    this.at = take(this.at, new Float64Array(capacity));
    this.duration = take(this.duration, new Float64Array(capacity));
    this.error = take(this.error, new Array<string | undefined>(capacity).fill(undefined));
    this.permitId = take(this.permitId, new Array<string | undefined>(capacity).fill(undefined));
    this.object = take(this.object, new Array<ReportedOutcome | undefined>(capacity).fill(undefined));
    this.capacity = capacity;
    this.head = 0;
  }

  private slot(offset: number): number {
    const i = this.head + offset;
    return i >= this.capacity ? i - this.capacity : i;
  }
}
