import { Inject, Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { Clock } from '../common/clock';
import { AppError } from '../common/errors/app-error';
import { isDatabaseBusy, isDatabaseUnreachable } from '../common/errors/database-errors';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/app-config.token';
import { inTransaction, Tx } from '../database/transaction';
import { EventStore } from '../events/event.store';
import { RecoveryEventPublisher } from '../events/recovery-event.publisher';
import { StoredEvent } from '../events/stored-event';
import { BreakerMetrics } from '../observability/breaker-metrics';
import { errorMessages, OutcomeStats } from '../stats/outcome-stats';
import { RecoveryTimesStore } from './recovery-times.store';
import { OutcomeStatsStore } from '../stats/outcome-stats.store';
import { BreakerStore } from './breaker.store';
import { MAX_BATCH_SIZE } from './dto/breaker.args';
import { evolve, EvolveResult } from './engine';
import { Ahead, GroupCommitQueue, Settled } from './group-commit-queue';
import { BatchAnswer, BatchKey, batchKeyString, OutcomeBatchStore } from './outcome-batch.store';
import { BreakerCommand, CommandsRun, runCommands } from './run-commands';
import { StoredBreaker } from './stored-breaker';

/** The most commands one group transaction takes; a single batch larger than this still goes alone. */
export const MAX_GROUP_COMMANDS = 2 * MAX_BATCH_SIZE;

/** Commands for named breakers, and, for an idempotent batch, its key. */
export interface WriteRequest {
  readonly commands: readonly BreakerCommand[];
  readonly batch?: BatchKey;
  /** Each command's error text normalised, in order, while the request waits for its group (see `write`). */
  readonly messages?: readonly (string | null)[];
  /** Whether `Written.results` is wanted (default true); `write`'s batches do without. */
  readonly keepResults?: boolean;
}

export interface Written {
  /** Every breaker the commands named, as committed, in order of first mention. */
  readonly breakers: StoredBreaker[];
  /** The events committed, in order (none for a replay). */
  readonly events: StoredEvent[];
  /** One engine result per command, in order (none for a replay, or without `keepResults`). */
  readonly results: EvolveResult[];
  readonly now: number;
  /** How many commands were applied: for a replay, as many as the first time. */
  readonly accepted: number;
  /** The batch id had committed before: nothing was applied, and this is what the first one answered. */
  readonly duplicate: boolean;
}

/**
 * The write path. Every change to a breaker goes through here, in one transaction:
 * 1. claim the batch ids (idempotent batches), 2. lock the breakers and their metrics in id order,
 * 3. run the engine over the commands, 4. write the breakers, events and outcome counts and the
 * batches' answers, 5. NOTIFY, so that subscribers hear of it on commit only. Whatever it answers
 * has committed; any error rolls the whole transaction back (deadlocks are retried, see inTransaction).
 *
 * Outcome batches go through a group-commit queue: the batches that arrive while transactions
 * run go together in the next, each still getting exactly its own answer. Batches from many
 * reporters mostly touch the same breakers, so their transactions would queue on the same row
 * locks anyway; grouping turns that queue into throughput, and bounding it sheds load. Two groups
 * run at once by default (OUTCOME_GROUPS_IN_FLIGHT): once the first has written everything, the
 * second takes what waits, begins, and asks for its row locks while the first commits. (Letting it
 * start right after the first's engine run made groups smaller: slower from four streams.)
 */
@Injectable()
export class BreakerWriter {
  private readonly queue: GroupCommitQueue<WriteRequest, Written>;

  constructor(
    private readonly dataSource: DataSource,
    private readonly breakers: BreakerStore,
    private readonly batches: OutcomeBatchStore,
    private readonly events: EventStore,
    private readonly stats: OutcomeStatsStore,
    private readonly recoveryTimes: RecoveryTimesStore,
    private readonly publisher: RecoveryEventPublisher,
    private readonly metrics: BreakerMetrics,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.queue = new GroupCommitQueue(
      (requests, overlap, ahead) => this.applyQueued(requests, overlap, ahead),
      {
        maxGroupSize: MAX_GROUP_COMMANDS,
        maxWaiting: config.outcomeQueueLimit,
        maxInFlight: config.outcomeGroupsInFlight,
        failsAll: isDatabaseUnreachable,
      },
      () => this.clock.now(),
    );
  }

  /** Queues an outcome batch for the next group transaction (answered without per-command results); SERVICE_UNAVAILABLE when too much is waiting. */
  write(request: WriteRequest): Promise<Written> {
    // Normalised now, while the transaction before runs, not inside the group's own.
    const messages = errorMessages(request.commands.map((command) => command.error));
    return this.queue.push({ ...request, messages, keepResults: false }, request.commands.length);
  }

  /** Applies the commands now, in a transaction of their own, all or nothing. */
  async apply(commands: readonly BreakerCommand[]): Promise<Written> {
    const [member] = await this.applyGroup([{ commands }]);
    if (!member.ok) throw member.error;
    return member.value;
  }

  /**
   * A queued group. One that began while the group ahead was committing waits for that commit's
   * row locks inside Postgres, where lock_timeout counts the wait. A commit slower than that (a
   * synchronous standby, a disk stall) must delay the group behind, as it would with one group in
   * flight, not refuse it. It can wait behind that commit for the breakers' row locks, for a batch
   * id the group ahead claimed, or for the event-id lock: when any such wait gives up while the
   * group ahead still runs, it waits for that group to end and runs once more, a fresh transaction
   * (the first rolled back whole, its batch claims with it). A second timeout reaches the callers.
   */
  private async applyQueued(
    requests: readonly WriteRequest[],
    overlap: () => void,
    ahead: Ahead | null,
  ): Promise<Settled<Written>[]> {
    if (ahead === null) return this.applyGroup(requests, overlap);
    try {
      return await this.applyGroup(requests, overlap, ahead);
    } catch (error) {
      if (!(error instanceof WaitedBehind)) throw error;
      await ahead.ended;
      return this.applyGroup(requests, overlap);
    }
  }

  /**
   * Applies several callers' requests in one transaction, each after the one before, so that
   * each gets exactly what it would have got alone in that order. A caller naming an unknown
   * breaker is refused alone (NOT_FOUND), and its batch id is given back; a batch id seen before
   * answers its first answer. Any other error rolls back all of them. `overlap` is called once
   * everything is written and only the COMMIT is left: the queue may then begin the next group's
   * transaction, whose row locks wait for this one's commit. With `ahead` (the groups still running
   * when this one started), a wait that gives up (lock or statement timeout) before this group has
   * written everything, while one of them still runs, throws WaitedBehind.
   */
  applyGroup(
    requests: readonly WriteRequest[],
    overlap: () => void = () => undefined,
    ahead: Ahead | null = null,
  ): Promise<Settled<Written>[]> {
    let overlapped = false;
    const letNextBegin = () => {
      overlapped = true;
      overlap();
    };
    return inTransaction(this.dataSource, async (tx) => {
      // After overlap() only the COMMIT is left. Were it retried (inTransaction retries deadlocks),
      // the retry would run behind the next group and apply out of order: refuse it instead, as
      // nothing of it committed.
      if (overlapped) {
        throw AppError.unavailable('the batch failed at commit; nothing of it was applied; retry it', 100);
      }
      try {
        return await this.writeGroup(tx, requests, letNextBegin);
      } catch (error) {
        // Checked as the wait gives up: lock_timeout counts each lock apart, and only a wait that
        // ends while the group ahead still commits can have been behind it.
        if (!overlapped && ahead?.running === true && isDatabaseBusy(error)) throw new WaitedBehind(error);
        throw error;
      }
    });
  }

  /** applyGroup's one try, in its transaction. */
  private async writeGroup(
    tx: Tx,
    requests: readonly WriteRequest[],
    overlap: () => void,
  ): Promise<Settled<Written>[]> {
    const { manager } = tx;
    const { firsts, replays } = await this.claimBatches(manager, requests);
    const toRun = requests.map((r, i) => (firsts[i] === i && !replays.has(i) ? r : null));
    const locked = await this.breakers.lockByNames(manager, namesIn(toRun.flatMap((r) => r?.commands ?? [])));
    // Read the clock only once the rows are ours, so that a breaker's events are in time order as in id order.
    const now = this.clock.now();

    const current = new Map(locked);
    // One for the group: a breaker-hour's top 20 messages are chosen over all of its outcomes.
    const stats = new OutcomeStats(this.metrics.callDurationBoundsMs);
    const runs = toRun.map((request) => {
      if (request === null) return null;
      const missing = namesIn(request.commands).filter((name) => !locked.has(name));
      if (missing.length > 0) return unknownBreakers(missing);
      const run = runCommands(current, request.commands, now, {
        stats,
        messages: request.messages,
        keepResults: request.keepResults,
      });
      for (const breaker of run.breakers) current.set(breaker.name, breaker);
      return run;
    });
    const accepted = runs.filter((run): run is CommandsRun => run !== null && !(run instanceof AppError));
    const events = await this.writeRuns(tx, locked, current, accepted, stats);

    let offset = 0;
    const settled = runs.map((run, i): Settled<Written> | null => {
      if (run === null) return null;
      if (run instanceof AppError) return { ok: false, error: run };
      const own = events.slice(offset, (offset += run.events.length));
      const value = { ...run, events: own, now, accepted: requests[i].commands.length, duplicate: false };
      return { ok: true, value };
    });
    await this.recordBatches(manager, requests, settled);
    // Only the COMMIT is left: the next group may begin now; its row locks wait for this commit.
    overlap();
    return requests.map((_, i) => settled[i] ?? replayOf(settled[firsts[i]], replays.get(i)));
  }

  /**
   * Moves OPEN breakers whose open period is over to HALF_OPEN, up to `limit` of them.
   * The due rows are locked in id order, skipping those another transaction holds (the next sweep
   * gets them); each move is a conditional UPDATE (still OPEN, still due, same version), so when
   * several instances sweep at once each breaker moves exactly once. Answers how many moved.
   */
  async advanceDue(limit: number): Promise<{ moved: number; events: StoredEvent[] }> {
    return inTransaction(this.dataSource, async (tx) => {
      const { manager } = tx;
      const now = this.clock.now();
      const due = await this.breakers.lockDue(manager, now, limit);
      const advanced = due.map((breaker) => ({ breaker, result: evolve(breaker.record, { type: 'ADVANCE' }, now) }));
      const written = await this.breakers.save(
        manager,
        advanced.map(({ breaker, result }) => ({
          ...breaker,
          record: { snapshot: result.snapshot, config: result.config, metrics: result.metrics },
        })),
        { onlyIfDueAt: now },
      );
      const newEvents = advanced
        .filter(({ breaker }) => written.has(breaker.id))
        .flatMap(({ breaker, result }) =>
          result.events.map((event) => ({ breakerId: breaker.id, breakerName: breaker.name, event })),
        );
      const events = await this.events.insertMany(manager, newEvents);
      await this.publisher.publish(tx, events);
      tx.afterCommit(() => this.metrics.recordCommitted([], events));
      return { moved: written.size, events };
    });
  }

  /** Writes what the runs decided: changed breakers, events, outcome statistics; NOTIFY and metrics on commit. */
  private async writeRuns(
    tx: Tx,
    locked: ReadonlyMap<string, StoredBreaker>,
    current: ReadonlyMap<string, StoredBreaker>,
    runs: readonly CommandsRun[],
    stats: OutcomeStats,
  ): Promise<StoredEvent[]> {
    // runCommands hands back the very object it was given for a breaker it did not change.
    const changed = [...current.values()].filter((breaker) => breaker !== locked.get(breaker.name));
    // The statistics go in the same statement as the breakers.
    const written = await this.breakers.save(tx.manager, changed, { alsoWrite: this.stats.writes(stats) });
    if (written.size !== changed.length) throw new Error('a locked breaker row changed under its lock');
    const newEvents = runs.flatMap((run) => run.events);
    const events = await this.events.insertMany(tx.manager, newEvents);
    await this.recoveryTimes.record(tx.manager, newEvents);
    await this.publisher.publish(tx, events);
    tx.afterCommit(() => this.metrics.recordCommitted(stats.totals(), events));
    return events;
  }

  /**
   * Claims the group's batch ids. `firsts[i]` is the index of the first request in the group with
   * request i's batch key (i itself when it has none or is the first); `replays` holds the stored
   * answers of the requests whose batch had committed before.
   */
  private async claimBatches(
    manager: EntityManager,
    requests: readonly WriteRequest[],
  ): Promise<{ firsts: number[]; replays: Map<number, BatchAnswer> }> {
    const firstByKey = new Map<string, number>();
    const firsts = requests.map((r, i) => {
      if (!r.batch) return i;
      const key = batchKeyString(r.batch);
      if (!firstByKey.has(key)) firstByKey.set(key, i);
      return firstByKey.get(key)!;
    });
    const answers = await this.batches.claim(
      manager,
      [...firstByKey.values()].map((i) => requests[i].batch!),
    );
    const replays = new Map<number, BatchAnswer>();
    requests.forEach((r, i) => {
      const answer = r.batch && answers.get(batchKeyString(r.batch));
      if (answer) replays.set(i, answer);
    });
    return { firsts, replays };
  }

  /** Stores the answers of the batches applied, and gives back the ids of those refused. */
  private async recordBatches(
    manager: EntityManager,
    requests: readonly WriteRequest[],
    settled: readonly (Settled<Written> | null)[],
  ): Promise<void> {
    const answered: { key: BatchKey; answer: BatchAnswer }[] = [];
    const refused: BatchKey[] = [];
    settled.forEach((s, i) => {
      const key = requests[i].batch;
      if (!s || !key) return;
      if (s.ok)
        answered.push({ key, answer: { accepted: s.value.accepted, breakers: s.value.breakers, now: s.value.now } });
      else refused.push(key);
    });
    await this.batches.saveAnswers(manager, answered);
    await this.batches.release(manager, refused);
  }
}

/** A repeated batch: its stored first answer, or, for a repeat within the same group, what the first got. */
function replayOf(first: Settled<Written> | null, stored: BatchAnswer | undefined): Settled<Written> {
  const answer = stored ?? (first?.ok ? first.value : undefined);
  if (!answer) return first ?? { ok: false, error: new Error('a repeated batch has no first to answer from') };
  return {
    ok: true,
    value: {
      breakers: answer.breakers,
      now: answer.now,
      accepted: answer.accepted,
      events: [],
      results: [],
      duplicate: true,
    },
  };
}

function namesIn(commands: readonly BreakerCommand[]): string[] {
  return [...new Set(commands.map((c) => c.name))];
}

function unknownBreakers(names: string[]): AppError {
  const shown = names
    .slice(0, 10)
    .map((n) => `"${n}"`)
    .join(', ');
  const more = names.length > 10 ? ` and ${names.length - 10} more` : '';
  return AppError.notFound(`unknown breaker${names.length > 1 ? 's' : ''}: ${shown}${more}`);
}

/** A group's wait gave up while a group ahead of it was still committing (see applyQueued). */
class WaitedBehind extends Error {
  constructor(override readonly cause: unknown) {
    super('gave up waiting behind the group ahead');
  }
}
