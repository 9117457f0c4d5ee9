import { AppError } from '../common/errors/app-error';
import { ErrorCode } from '../common/errors/error-code';
import { deferred, Deferred } from '../../test/support/deferred';
import { Ahead, GroupCommitQueue, Settled } from './group-commit-queue';

/** An item is a tag and a size; a group answers each item with its tag, once the test commits it. */
interface Item {
  readonly tag: string;
  readonly size: number;
}

class FakeGroups {
  readonly groups: (readonly Item[])[] = [];
  readonly pending: Deferred<Settled<string>[]>[] = [];
  readonly overlaps: (() => void)[] = [];
  readonly aheads: (Ahead | null)[] = [];
  run = (items: readonly Item[], overlap: () => void, ahead: Ahead | null): Promise<Settled<string>[]> => {
    this.groups.push(items);
    this.overlaps.push(overlap);
    this.aheads.push(ahead);
    const done = deferred<Settled<string>[]>();
    this.pending.push(done);
    return done.promise;
  };
  commit(i: number): void {
    this.pending[i].resolve(this.groups[i].map((item) => ({ ok: true, value: item.tag })));
  }
  tags(i: number): string[] {
    return this.groups[i].map((item) => `${item.tag}${item.size}`);
  }
}

const tick = () => new Promise((r) => setImmediate(r));
const MAX_GROUP = 100;

describe('GroupCommitQueue', () => {
  let fake: FakeGroups;
  let now: number;
  let queue: GroupCommitQueue<Item, string>;
  const push = (tag: string, size = 1) => queue.push({ tag, size }, size);

  beforeEach(() => {
    fake = new FakeGroups();
    now = 0;
    queue = new GroupCommitQueue(fake.run, { maxGroupSize: MAX_GROUP, maxWaiting: 250 }, () => now);
  });

  it('runs a lone item at once, alone, and answers it once its group is done', async () => {
    let settled = false;
    const written = push('a').then((v) => ((settled = true), v));
    await tick();
    expect(fake.groups).toEqual([[{ tag: 'a', size: 1 }]]);
    expect(settled).toBe(false);
    fake.commit(0);
    await expect(written).resolves.toBe('a');
  });

  it('groups the items that arrive during a group, in arrival order, into the next one', async () => {
    const first = push('a');
    await tick();
    const later = [push('b'), push('c'), push('d')];
    await tick();
    expect(fake.groups).toHaveLength(1);
    fake.commit(0);
    await first;
    await tick();
    expect(fake.tags(1)).toEqual(['b1', 'c1', 'd1']);
    fake.commit(1);
    expect(await Promise.all(later)).toEqual(['b', 'c', 'd']);
  });

  it('starts the next group once the running one signals overlap, with every item that arrived until then', async () => {
    queue = new GroupCommitQueue(fake.run, { maxGroupSize: MAX_GROUP, maxWaiting: 250, maxInFlight: 2 }, () => now);
    const a = push('a');
    await tick();
    const early = [push('b'), push('c')];
    await tick();
    // Before a signals, what arrives waits and groups, as with one group in flight.
    expect(fake.groups).toHaveLength(1);
    fake.overlaps[0]();
    fake.overlaps[0](); // a second call changes nothing
    await tick();
    expect(fake.groups.map((_, i) => fake.tags(i))).toEqual([['a1'], ['b1', 'c1']]);
    // Two run; the next waits for one of them to signal or end, however many arrive.
    const late = [push('d'), push('e')];
    fake.overlaps[1]();
    await tick();
    expect(fake.groups).toHaveLength(2);
    // The second ends first: its answers do not wait for the first's, and the waiting go next, together.
    fake.commit(1);
    expect(await Promise.all(early)).toEqual(['b', 'c']);
    await tick();
    expect(fake.tags(2)).toEqual(['d1', 'e1']);
    fake.commit(0);
    await expect(a).resolves.toBe('a');
    fake.commit(2);
    expect(await Promise.all(late)).toEqual(['d', 'e']);
    // A group that ends without signalling lets the next start too.
    const f = push('f');
    await tick();
    const g = push('g');
    await tick();
    expect(fake.groups).toHaveLength(4);
    fake.commit(3);
    await expect(f).resolves.toBe('f');
    await tick();
    expect(fake.tags(4)).toEqual(['g1']);
    fake.commit(4);
    await expect(g).resolves.toBe('g');
  });

  it('with one group in flight, ignores overlap: the next starts when the running one ends', async () => {
    const a = push('a');
    await tick();
    const b = push('b');
    fake.overlaps[0]();
    await tick();
    expect(fake.groups).toHaveLength(1);
    fake.commit(0);
    await a;
    await tick();
    expect(fake.tags(1)).toEqual(['b1']);
    fake.commit(1);
    await expect(b).resolves.toBe('b');
  });

  it('never runs more than maxInFlight groups, however the pushes, signals and commits interleave', async () => {
    let running = 0;
    let most = 0;
    const pending: Deferred<Settled<string>[]>[] = [];
    const overlaps: (() => void)[] = [];
    const groups: (readonly Item[])[] = [];
    queue = new GroupCommitQueue(
      (items, overlap) => {
        running++;
        most = Math.max(most, running);
        groups.push(items);
        overlaps.push(overlap);
        const done = deferred<Settled<string>[]>();
        pending.push(done);
        return done.promise.finally(() => running--);
      },
      { maxGroupSize: 5, maxWaiting: 1000, maxInFlight: 3 },
      () => now,
    );
    const answers: Promise<string>[] = [];
    let committed = 0;
    const commitOldest = () => {
      pending[committed].resolve(groups[committed].map((item) => ({ ok: true, value: item.tag })));
      committed++;
    };
    for (let step = 0; step < 200; step++) {
      if (step % 3 !== 2) answers.push(push(`i${step}`));
      // Every running group signals at once; the oldest commits now and then, out of step with the pushes.
      for (const overlap of overlaps) overlap();
      if (step % 4 === 3 && committed < pending.length) commitOldest();
      await tick();
    }
    while (committed < pending.length || running > 0) {
      for (const overlap of overlaps) overlap();
      if (committed < pending.length) commitOldest();
      await tick();
    }
    const tags = await Promise.all(answers);
    expect(tags).toHaveLength(134);
    expect(new Set(tags).size).toBe(134);
    expect(groups.flat().map((item) => item.tag)).toEqual(tags);
    expect(most).toBe(3);
  });

  it(`puts no more than ${MAX_GROUP} units in a group, but lets a larger item go alone`, async () => {
    queue = new GroupCommitQueue(fake.run, { maxGroupSize: MAX_GROUP, maxWaiting: 1000 }, () => now);
    const first = push('a');
    await tick();
    const rest = [push('b', 50), push('c', 50), push('d', 1), push('e', MAX_GROUP + 5)];
    fake.commit(0);
    await first;
    for (let g = 1; g <= 3; g++) {
      await tick();
      fake.commit(g);
    }
    await Promise.all(rest);
    expect([fake.tags(1), fake.tags(2), fake.tags(3)]).toEqual([['b50', 'c50'], ['d1'], [`e${MAX_GROUP + 5}`]]);
  });

  it('refuses only the item its group refused', async () => {
    const first = push('a');
    await tick();
    const good = push('good');
    const bad = push('bad');
    fake.commit(0);
    await first;
    await tick();
    const refusal = AppError.notFound('unknown breaker: "bad"');
    fake.pending[1].resolve([
      { ok: true, value: 'good' },
      { ok: false, error: refusal },
    ]);
    await expect(good).resolves.toBe('good');
    await expect(bad).rejects.toBe(refusal);
  });

  it('rejects every item of a failed group with its error, and goes on with the next', async () => {
    const first = push('a');
    await tick();
    const doomed = [push('b'), push('c')];
    fake.commit(0);
    await first;
    await tick();
    const after = push('d');
    const outage = new Error('connection lost');
    fake.pending[1].reject(outage);
    for (const d of doomed) await expect(d).rejects.toBe(outage);
    await tick();
    expect(fake.tags(2)).toEqual(['d1']);
    fake.commit(2);
    await expect(after).resolves.toBe('d');
  });

  it('refuses, at once and unavailable, what would take the waiting units past the limit', async () => {
    const running = push('a', 100);
    await tick();
    // While that group is stuck: 250 units may wait, and no more.
    const waiting = [push('b', 100), push('c', 100), push('d', 50)];
    expect(queue.waitingUnits).toBe(250);
    const refused = await push('e', 1).then(
      () => null,
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(AppError);
    expect((refused as AppError).code).toBe(ErrorCode.SERVICE_UNAVAILABLE);
    expect((refused as AppError).retryAfterMs).toBeGreaterThanOrEqual(50);
    expect(fake.groups).toHaveLength(1);

    // Once the stuck group is done, the waiting ones drain and room is made again.
    now += 400;
    fake.commit(0);
    await running;
    await tick();
    expect(queue.waitingUnits).toBe(150);
    const roomAgain = push('f', 1);
    for (let g = 1; fake.pending[g]; g++) {
      fake.commit(g);
      await tick();
    }
    expect(await Promise.all([...waiting, roomAgain])).toEqual(['b', 'c', 'd', 'f']);
  });

  it.each([1, 2])(
    'estimates retryAfterMs from how long groups take and how many wait ahead (%i in flight)',
    async (maxInFlight) => {
      // In flight or not, groups that fill the queue mostly name the same breakers and commit in turn.
      queue = new GroupCommitQueue(fake.run, { maxGroupSize: MAX_GROUP, maxWaiting: 250, maxInFlight }, () => now);
      // Each group takes 1000 ms of the fake clock.
      for (let g = 0; g < 20; g++) {
        const p = push(`w${g}`);
        await tick();
        now += 1000;
        fake.commit(g);
        await p;
      }
      const stuck = push('s', 100);
      await tick();
      const waiting = [push('x', 100), push('y', 100), push('z', 50)];
      const refused = (await push('over').catch((e: unknown) => e)) as AppError;
      // Four groups ahead (the running one, and 250 waiting units at 100 a group) at about a second each.
      expect(refused.retryAfterMs).toBeGreaterThan(3500);
      expect(refused.retryAfterMs).toBeLessThanOrEqual(4000);
      for (let g = 20; fake.pending[g] || g < 24; g++) {
        await tick();
        if (fake.pending[g]) fake.commit(g);
      }
      await stuck;
      await Promise.all(waiting);
    },
  );

  it('refuses everything waiting at once when a group fails in a way they would too', async () => {
    const unreachable = new Error('connection terminated');
    queue = new GroupCommitQueue(
      fake.run,
      { maxGroupSize: MAX_GROUP, maxWaiting: 1000, failsAll: (e) => e === unreachable },
      () => now,
    );
    const first = push('a');
    await tick();
    const waiting = [push('b', 50), push('c', 100)];
    fake.pending[0].reject(unreachable);
    await expect(first).rejects.toBe(unreachable);
    for (const w of waiting) await expect(w).rejects.toBe(unreachable);
    expect(fake.groups).toHaveLength(1);
    expect(queue.waitingUnits).toBe(0);

    // Any other error fails its own group only; and a new push after the failure starts afresh.
    const next = push('d');
    await tick();
    const behind = push('e');
    fake.pending[1].reject(new Error('a bug'));
    await expect(next).rejects.toThrow('a bug');
    await tick();
    fake.commit(2);
    await expect(behind).resolves.toBe('e');
  });
  it('hands a group the one still running when it started, which reports when it has ended', async () => {
    queue = new GroupCommitQueue(fake.run, { maxGroupSize: MAX_GROUP, maxWaiting: 250, maxInFlight: 2 }, () => now);
    const a = push('a');
    await tick();
    expect(fake.aheads[0]).toBeNull();
    const b = push('b');
    fake.overlaps[0]();
    await tick();
    const ahead = fake.aheads[1]!;
    expect(ahead.running).toBe(true);
    let ended = false;
    void ahead.ended.then(() => (ended = true));
    await tick();
    expect(ended).toBe(false);
    fake.pending[0].reject(new Error('its commit failed'));
    await expect(a).rejects.toThrow('its commit failed');
    await tick();
    expect({ running: ahead.running, ended }).toEqual({ running: false, ended: true });
    fake.commit(1);
    await expect(b).resolves.toBe('b');
    // A group starting with none running has none ahead.
    const c = push('c');
    await tick();
    expect(fake.aheads[2]).toBeNull();
    fake.commit(2);
    await expect(c).resolves.toBe('c');
  });

  it('with three in flight, hands the third both groups still running, ended once both have', async () => {
    queue = new GroupCommitQueue(fake.run, { maxGroupSize: MAX_GROUP, maxWaiting: 250, maxInFlight: 3 }, () => now);
    const answers = [push('a')];
    await tick();
    answers.push(push('b'));
    fake.overlaps[0]();
    await tick();
    answers.push(push('c'));
    fake.overlaps[1]();
    await tick();
    expect(fake.groups).toHaveLength(3);
    const ahead = fake.aheads[2]!;
    fake.commit(1);
    await tick();
    expect(ahead.running).toBe(true); // the first still commits
    let ended = false;
    void ahead.ended.then(() => (ended = true));
    fake.commit(0);
    await tick();
    expect({ running: ahead.running, ended }).toEqual({ running: false, ended: true });
    fake.commit(2);
    expect(await Promise.all(answers)).toEqual(['a', 'b', 'c']);
  });

  it('refuses what waits when a signalled group fails unreachable, while the group behind it runs on', async () => {
    const unreachable = new Error('connection terminated');
    queue = new GroupCommitQueue(
      fake.run,
      { maxGroupSize: MAX_GROUP, maxWaiting: 1000, maxInFlight: 2, failsAll: (e) => e === unreachable },
      () => now,
    );
    const first = push('a');
    await tick();
    fake.overlaps[0]();
    const second = push('b');
    await tick();
    const waiting = [push('c', 10), push('d', 20)];
    await tick();
    expect(fake.groups).toHaveLength(2);
    fake.pending[0].reject(unreachable);
    await expect(first).rejects.toBe(unreachable);
    for (const w of waiting) await expect(w).rejects.toBe(unreachable);
    expect(queue.waitingUnits).toBe(0);
    // The second group was already running: it answers for itself.
    fake.commit(1);
    await expect(second).resolves.toBe('b');
    const after = push('e');
    await tick();
    expect(fake.tags(2)).toEqual(['e1']);
    fake.commit(2);
    await expect(after).resolves.toBe('e');
  });
});
