import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock } from '../common/clock';
import { AppError } from '../common/errors/app-error';
import { inTransaction } from '../database/transaction';
import { EventStore } from '../events/event.store';
import { RecoveryEventPublisher } from '../events/recovery-event.publisher';
import { OutcomeBucketStore } from '../metrics/outcome-bucket.store';
import { BreakerMetrics } from '../observability/breaker-metrics';
import { StoredEvent } from '../events/stored-event';
import { BreakerStore } from './breaker.store';
import { evolve, EvolveResult } from './engine';
import { BreakerCommand, CommandsRun, runCommands, sumOutcomeCounts } from './run-commands';
import { StoredBreaker } from './stored-breaker';

export interface CommandsOutcome {
  /** Every breaker the commands named, as committed, in order of first mention. */
  readonly breakers: StoredBreaker[];
  /** The events committed, in order. */
  readonly events: StoredEvent[];
  /** One engine result per command, in order. */
  readonly results: EvolveResult[];
  readonly now: number;
}

/** One caller's part of a group: what its commands came to, or why it was refused. */
export type GroupMember =
  { readonly ok: true; readonly outcome: CommandsOutcome } | { readonly ok: false; readonly error: AppError };

/**
 * Runs engine inputs against persisted breakers: one transaction, the rows locked with
 * SELECT … FOR UPDATE, the new state, metrics and events written before commit, and the events
 * published so that subscribers hear of them on commit only. Whatever it answers has committed;
 * any error rolls the whole call back.
 */
@Injectable()
export class BreakerCommands {
  constructor(
    private readonly dataSource: DataSource,
    private readonly breakers: BreakerStore,
    private readonly events: EventStore,
    private readonly publisher: RecoveryEventPublisher,
    private readonly buckets: OutcomeBucketStore,
    private readonly metrics: BreakerMetrics,
    private readonly clock: Clock,
  ) {}

  /** Applies the commands in order, all or nothing. An unknown name refuses the whole call with NOT_FOUND. */
  async apply(commands: readonly BreakerCommand[]): Promise<CommandsOutcome> {
    const [member] = await this.applyGroup([commands]);
    if (!member.ok) throw member.error;
    return member.outcome;
  }

  /**
   * Applies several callers' commands in one transaction, each caller's after the one before, so
   * that each gets exactly what it would have got running alone in that order; but with one lock,
   * one write per table and one commit for all of them (see `OutcomeWriter`). A caller that names
   * an unknown breaker is refused alone, with NOT_FOUND; any other error rolls back all of them.
   */
  async applyGroup(callers: readonly (readonly BreakerCommand[])[]): Promise<GroupMember[]> {
    return inTransaction(this.dataSource, async (tx) => {
      const { manager } = tx;
      const locked = await this.breakers.lockByNames(manager, namesIn(callers.flat()));
      const now = this.clock.now();
      const current = new Map(locked);
      const runs = callers.map((commands) => {
        const missing = namesIn(commands).filter((name) => !locked.has(name));
        if (missing.length > 0) return unknownBreakers(missing);
        const run = runCommands(current, commands, now);
        for (const breaker of run.breakers) current.set(breaker.name, breaker);
        return run;
      });
      const accepted = runs.filter((run): run is CommandsRun => !(run instanceof AppError));

      // runCommands hands back the very object it was given for a breaker it did not change.
      const changed = [...current.values()].filter((breaker) => breaker !== locked.get(breaker.name));
      const written = await this.breakers.save(manager, changed);
      if (written.size !== changed.length) throw new Error('a locked breaker row changed under its lock');
      const events = await this.events.insertMany(
        manager,
        accepted.flatMap((run) => run.events),
      );
      const outcomes = sumOutcomeCounts(accepted.map((run) => run.outcomes));
      await this.buckets.add(manager, now, outcomes);
      await this.publisher.publish(tx, events);
      tx.afterCommit(() => this.metrics.recordCommitted(outcomes, events));

      let offset = 0;
      return runs.map((run): GroupMember => {
        if (run instanceof AppError) return { ok: false, error: run };
        const own = events.slice(offset, (offset += run.events.length));
        return { ok: true, outcome: { breakers: run.breakers, events: own, results: run.results, now } };
      });
    });
  }

  /**
   * Moves OPEN breakers whose open period is over to HALF_OPEN, up to `limit` of them.
   * The due rows are locked in id order, skipping those another transaction holds (the next sweep
   * gets them); each move is a conditional UPDATE (still OPEN, still due, same version), so when
   * several instances sweep at once each breaker moves exactly once. Answers how many moved, and the events committed.
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
        now,
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
