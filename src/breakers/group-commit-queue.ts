import { AppError } from '../common/errors/app-error';

/** What a group answers for one of its members: its own value, or why it alone was refused. */
export type Settled<R> = { readonly ok: true; readonly value: R } | { readonly ok: false; readonly error: unknown };

export interface GroupCommitLimits {
  /** The most units one group takes; a single item larger than this still goes, alone. */
  readonly maxGroupSize: number;
  /** The most units that may wait for a group; past it, `push` refuses at once. */
  readonly maxWaiting: number;
  /**
   * How many groups may run at once (default 1). A group lets the next one start only once it
   * calls the `overlap` it is handed (or ends): with two, the next group's transaction begins and
   * asks for its row locks while the one before commits, and it takes every item that arrived
   * until then, so groups stay nearly as large as with one.
   */
  readonly maxInFlight?: number;
  /**
   * Whether a group's error means the ones waiting would fail the same way (the database cannot
   * be reached): then they are refused with it at once, rather than each waiting its turn to time out.
   */
  readonly failsAll?: (error: unknown) => boolean;
}

/** The groups still running when another started: those whose commits it may wait for. */
export interface Ahead {
  /** False once every one of them has ended, committed or not. */
  readonly running: boolean;
  /** Resolves when every one of them has ended (never rejects). */
  readonly ended: Promise<void>;
}

interface Running {
  running: boolean;
  readonly ended: Promise<void>;
}

interface Waiting<C, R> {
  readonly item: C;
  readonly size: number;
  resolve(value: R): void;
  reject(error: unknown): void;
}

/** retryAfterMs stays within these, whatever the estimate. */
const RETRY_AFTER_MIN_MS = 50;
const RETRY_AFTER_MAX_MS = 10_000;

/**
 * Group commit with backpressure. A group runs once the one before has signalled `overlap` (or
 * ended), up to `maxInFlight` at once; the items pushed meanwhile wait, then go together in the
 * next group, in arrival order, and each caller gets its own answer once its group is done.
 * Groups running at once are separate transactions: those that name the same breakers wait for
 * each other's row locks, as two instances' groups do. Waiting is bounded by size (outcomes, not
 * requests): past `maxWaiting` a push is
 * refused at once with SERVICE_UNAVAILABLE and a retryAfterMs, so memory stays bounded and a
 * stalled transaction sheds load instead of piling it up.
 */
export class GroupCommitQueue<C, R> {
  private readonly waiting: Waiting<C, R>[] = [];
  private waitingSize = 0;
  private inFlight = 0;
  /** Groups running that have not yet called `overlap`: while there is one, no group starts. */
  private holding = 0;
  /** A moving average of a group's duration, for the retryAfterMs estimate. */
  private groupMs = 10;
  /** The groups running. */
  private readonly runningGroups = new Set<Running>();

  /**
   * `runGroup` gets the group's items, the `overlap` to call once only its COMMIT is left, and the
   * groups still running when it started (null when none was), whose commits it may wait for.
   */
  constructor(
    private readonly runGroup: (items: readonly C[], overlap: () => void, ahead: Ahead | null) => Promise<Settled<R>[]>,
    private readonly limits: GroupCommitLimits,
    private readonly now: () => number,
  ) {}

  /** Units waiting for a group (not counting the groups running). */
  get waitingUnits(): number {
    return this.waitingSize;
  }

  /** Queues the item; resolves with its answer once its group is done, or rejects with its refusal. */
  push(item: C, size: number): Promise<R> {
    if (this.waitingSize > 0 && this.waitingSize + size > this.limits.maxWaiting) {
      return Promise.reject(this.full());
    }
    return new Promise<R>((resolve, reject) => {
      this.waiting.push({ item, size, resolve, reject });
      this.waitingSize += size;
      this.pump();
    });
  }

  private full(): AppError {
    const groupsAhead = Math.ceil(this.waitingSize / this.limits.maxGroupSize) + 1;
    const retryAfterMs = Math.min(
      RETRY_AFTER_MAX_MS,
      // Not divided by maxInFlight: groups naming the same breakers, as those that fill the queue
      // mostly do, commit one after the other however many run at once.
      Math.max(RETRY_AFTER_MIN_MS, Math.ceil(groupsAhead * this.groupMs)),
    );
    return AppError.unavailable(
      `too many outcomes are waiting to be written (${this.waitingSize}, at most ${this.limits.maxWaiting}); retry in ${retryAfterMs} ms`,
      retryAfterMs,
    );
  }

  /** Starts the next group, if items wait, no running group holds the next back, and fewer than maxInFlight run. */
  private pump(): void {
    if (this.waiting.length > 0 && this.holding === 0 && this.inFlight < (this.limits.maxInFlight ?? 1)) {
      void this.runOne(this.takeGroup());
    }
  }

  private rejectWaiting(error: unknown): void {
    const waiting = this.waiting.splice(0);
    this.waitingSize = 0;
    for (const w of waiting) w.reject(error);
  }

  /** The oldest waiting items, as many as fit in maxGroupSize (always at least one). */
  private takeGroup(): Waiting<C, R>[] {
    let size = this.waiting[0].size;
    let count = 1;
    while (count < this.waiting.length && size + this.waiting[count].size <= this.limits.maxGroupSize) {
      size += this.waiting[count].size;
      count++;
    }
    this.waitingSize -= size;
    return this.waiting.splice(0, count);
  }

  private async runOne(group: readonly Waiting<C, R>[]): Promise<void> {
    const started = this.now();
    this.inFlight++;
    this.holding++;
    let held = true;
    const ahead = aheadOf([...this.runningGroups]);
    let ended!: () => void;
    const own: Running = { running: true, ended: new Promise<void>((resolve) => (ended = resolve)) };
    this.runningGroups.add(own);
    const overlap = () => {
      if (!held) return;
      held = false;
      this.holding--;
      this.pump();
    };
    try {
      const settled = await this.runGroup(
        group.map((w) => w.item),
        overlap,
        ahead,
      );
      settled.forEach((s, i) => (s.ok ? group[i].resolve(s.value) : group[i].reject(s.error)));
    } catch (error) {
      for (const w of group) w.reject(error);
      if (this.limits.failsAll?.(error)) this.rejectWaiting(error);
    } finally {
      this.groupMs = 0.8 * this.groupMs + 0.2 * Math.max(0, this.now() - started);
      own.running = false;
      this.runningGroups.delete(own);
      ended();
      this.inFlight--;
      if (held) {
        held = false;
        this.holding--;
      }
      this.pump();
    }
  }
}

function aheadOf(groups: readonly Running[]): Ahead | null {
  if (groups.length === 0) return null;
  return {
    get running() {
      return groups.some((g) => g.running);
    },
    ended: Promise.all(groups.map((g) => g.ended)).then(() => undefined),
  };
}
