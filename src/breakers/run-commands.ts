import { NewEvent } from '../events/event.store';
import { OutcomeStats } from '../stats/outcome-stats';
import { BreakerInput, BreakerRecord, evolve, EvolveResult, isSlowCall } from './engine';
import { StoredBreaker } from './stored-breaker';

/** An engine input for a named breaker; a function when the input depends on the breaker's record at that point (e.g. a config patch). */
export interface BreakerCommand {
  readonly name: string;
  readonly input: BreakerInput | ((record: BreakerRecord) => BreakerInput);
  /** For an outcome: what went wrong, as reported (counted, normalised, in the error statistics). */
  readonly error?: string | null;
}

/** How many outcomes, and how many of them failures, one breaker got in one run. */
export interface OutcomeCount {
  readonly breakerId: number;
  readonly breakerName: string;
  calls: number;
  failures: number;
}

/** What running commands against locked breakers decided, before anything is written. */
export interface CommandsRun {
  /** Every breaker the commands named, with its new record, in order of first mention. */
  readonly breakers: StoredBreaker[];
  /** Those of `breakers` whose record changed: the rows to write. */
  readonly changed: StoredBreaker[];
  /** The events the steps produced, in order. */
  readonly events: NewEvent[];
  /** The outcomes among the commands, counted per breaker: for the buckets and the metrics alike. */
  readonly outcomes: OutcomeCount[];
  /** One engine result per command, in order; none without `keepResults`. */
  readonly results: EvolveResult[];
  /** The outcomes' statistics: those of this run, added to the `stats` given, if any. */
  readonly stats: OutcomeStats;
}

interface Working {
  readonly breaker: StoredBreaker;
  record: BreakerRecord;
  outcomes: OutcomeCount | null;
}

export interface RunOptions {
  /** Where every outcome's statistics are added; fresh ones when left out. */
  readonly stats?: OutcomeStats;
  /** Each command's error already normalised (see `errorMessages`), in the commands' order. */
  readonly messages?: readonly (string | null)[];
  /**
   * Whether to answer each command's engine result (default true). A batch of outcomes has no use
   * for them, and keeping thousands alive through its transaction made them survive into the
   * older generation, which cost garbage-collection time.
   */
  readonly keepResults?: boolean;
}

/**
 * Runs the commands in order through the engine against the breakers as locked, at `now`.
 * Pure: it reads nothing but its arguments and writes nothing but `stats`, to which it adds every
 * outcome (at its `occurredAt`, default `now`; slow by the config it was judged under). Every named
 * breaker must be in `locked`. A record is only copied when a step changed it, as a batch holds
 * thousands of steps.
 */
export function runCommands(
  locked: ReadonlyMap<string, StoredBreaker>,
  commands: readonly BreakerCommand[],
  now: number,
  { stats = new OutcomeStats(), messages, keepResults = true }: RunOptions = {},
): CommandsRun {
  const working = new Map<string, Working>();
  const events: NewEvent[] = [];
  const results: EvolveResult[] = [];
  for (let i = 0; i < commands.length; i++) {
    const command = commands[i];
    let w = working.get(command.name);
    if (w === undefined) {
      const breaker = locked.get(command.name);
      if (breaker === undefined) throw new Error(`breaker "${command.name}" was not locked`);
      w = { breaker, record: breaker.record, outcomes: null };
      working.set(command.name, w);
    }
    const input = typeof command.input === 'function' ? command.input(w.record) : command.input;
    if (input.type === 'OUTCOME') {
      const durationMs = input.durationMs ?? null;
      const slow = isSlowCall(w.record.config, durationMs);
      const occurredAt = input.occurredAt ?? now;
      if (messages !== undefined) {
        stats.addMessage(w.breaker.id, command.name, occurredAt, input.success, durationMs, slow, messages[i]);
      } else stats.add(w.breaker.id, command.name, occurredAt, input.success, durationMs, slow, command.error ?? null);
    }
    const result = evolve(w.record, input, now);
    if (
      result.snapshot !== w.record.snapshot ||
      result.config !== w.record.config ||
      result.metrics !== w.record.metrics
    ) {
      w.record = { snapshot: result.snapshot, config: result.config, metrics: result.metrics };
    }
    for (const event of result.events) events.push({ breakerId: w.breaker.id, breakerName: command.name, event });
    if (input.type === 'OUTCOME') countOutcome(w, input.success);
    if (keepResults) results.push(result);
  }

  const breakers: StoredBreaker[] = [];
  const changed: StoredBreaker[] = [];
  const outcomes: OutcomeCount[] = [];
  for (const w of working.values()) {
    const unchanged = w.record === w.breaker.record;
    const breaker = unchanged
      ? w.breaker
      : { id: w.breaker.id, name: w.breaker.name, version: w.breaker.version, record: w.record };
    breakers.push(breaker);
    if (!unchanged) changed.push(breaker);
    if (w.outcomes !== null) outcomes.push(w.outcomes);
  }
  return { breakers, changed, events, outcomes, results, stats };
}

function countOutcome(w: Working, success: boolean): void {
  if (w.outcomes === null) w.outcomes = { breakerId: w.breaker.id, breakerName: w.breaker.name, calls: 0, failures: 0 };
  w.outcomes.calls++;
  if (!success) w.outcomes.failures++;
}
