import { AppError } from '../common/errors/app-error';
import { BreakerCommands, CommandsOutcome, GroupMember } from './breaker-commands.service';
import { MAX_GROUP_COMMANDS, OutcomeWriter } from './outcome-writer';
import { BreakerCommand } from './run-commands';
import { deferred, Deferred } from '../../test/support/deferred';

const batch = (name: string, size = 1): BreakerCommand[] =>
  Array.from({ length: size }, () => ({ name, input: { type: 'OUTCOME', success: true } }));

const outcomeFor = (tag: string): CommandsOutcome => ({ breakers: [], events: [], results: [], now: tag.length });

/** A BreakerCommands whose group transactions finish only when the test says so. */
class FakeCommands {
  readonly groups: (readonly (readonly BreakerCommand[])[])[] = [];
  readonly pending: Deferred<GroupMember[]>[] = [];
  applyGroup(callers: readonly (readonly BreakerCommand[])[]): Promise<GroupMember[]> {
    this.groups.push(callers);
    const done = deferred<GroupMember[]>();
    this.pending.push(done);
    return done.promise;
  }
  /** Commits group `i`, answering each caller with an outcome tagged by its first breaker's name. */
  commit(i: number): void {
    this.pending[i].resolve(this.groups[i].map((c) => ({ ok: true, outcome: outcomeFor(c[0].name) })));
  }
}

const tick = () => new Promise((r) => setImmediate(r));

describe('OutcomeWriter (group commit)', () => {
  let fake: FakeCommands;
  let writer: OutcomeWriter;
  beforeEach(() => {
    fake = new FakeCommands();
    writer = new OutcomeWriter(fake as unknown as BreakerCommands);
  });

  it('writes a lone batch at once, alone', async () => {
    const written = writer.write(batch('a'));
    await tick();
    expect(fake.groups).toEqual([[batch('a')]]);
    fake.commit(0);
    await expect(written).resolves.toEqual(outcomeFor('a'));
  });

  it('groups the batches that arrive during a write, in arrival order, into the next transaction', async () => {
    const first = writer.write(batch('a'));
    await tick();
    const later = [writer.write(batch('bb')), writer.write(batch('ccc')), writer.write(batch('dddd'))];
    await tick();
    expect(fake.groups).toHaveLength(1);
    fake.commit(0);
    await first;
    await tick();
    expect(fake.groups[1].map((c) => c[0].name)).toEqual(['bb', 'ccc', 'dddd']);
    fake.commit(1);
    expect(await Promise.all(later)).toEqual([outcomeFor('bb'), outcomeFor('ccc'), outcomeFor('dddd')]);
  });

  it('answers each caller only once its group has committed', async () => {
    let settled = false;
    void writer.write(batch('a')).then(() => (settled = true));
    await tick();
    expect(settled).toBe(false);
    fake.commit(0);
    await tick();
    expect(settled).toBe(true);
  });

  it(`puts no more than ${MAX_GROUP_COMMANDS} commands in a group, but lets a larger batch go alone`, async () => {
    const first = writer.write(batch('a'));
    await tick();
    const half = MAX_GROUP_COMMANDS / 2;
    const rest = [
      writer.write(batch('b', half)),
      writer.write(batch('c', half)),
      writer.write(batch('d', 1)),
      writer.write(batch('e', MAX_GROUP_COMMANDS + 5)),
    ];
    fake.commit(0);
    await first;
    for (let g = 1; g <= 3; g++) {
      await tick();
      fake.commit(g);
    }
    await Promise.all(rest);
    expect(fake.groups.slice(1).map((g) => g.map((c) => `${c[0].name}${c.length}`))).toEqual([
      [`b${half}`, `c${half}`],
      ['d1'],
      [`e${MAX_GROUP_COMMANDS + 5}`],
    ]);
  });

  it('refuses only the caller its group refused', async () => {
    const first = writer.write(batch('a'));
    await tick();
    const good = writer.write(batch('good'));
    const bad = writer.write(batch('unknown'));
    fake.commit(0);
    await first;
    await tick();
    const refusal = AppError.notFound('unknown breaker: "unknown"');
    fake.pending[1].resolve([
      { ok: true, outcome: outcomeFor('good') },
      { ok: false, error: refusal },
    ]);
    await expect(good).resolves.toEqual(outcomeFor('good'));
    await expect(bad).rejects.toBe(refusal);
  });

  it('rejects every caller of a failed transaction with its error, and goes on writing the next', async () => {
    const first = writer.write(batch('a'));
    await tick();
    const doomed = [writer.write(batch('b')), writer.write(batch('c'))];
    const outage = new Error('connection lost');
    fake.commit(0);
    await first;
    await tick();
    const after = writer.write(batch('d'));
    fake.pending[1].reject(outage);
    for (const d of doomed) await expect(d).rejects.toBe(outage);
    await tick();
    expect(fake.groups[2].map((c) => c[0].name)).toEqual(['d']);
    fake.commit(2);
    await expect(after).resolves.toEqual(outcomeFor('d'));
  });
});
