import { FreshFor } from './fresh-for';

describe('FreshFor', () => {
  let now: number;
  let computed: number;
  let release: (() => void)[];

  const slow = () =>
    new Promise<number>((resolve) => {
      const n = ++computed;
      release.push(() => resolve(n));
    });

  beforeEach(() => {
    now = 1_000;
    computed = 0;
    release = [];
  });

  it('shares one computation among callers that arrive while it runs', async () => {
    const fresh = new FreshFor(1000, slow, () => now);
    const all = Promise.all(Array.from({ length: 16 }, () => fresh.get()));
    expect(computed).toBe(1);
    release[0]();
    expect(await all).toEqual(Array(16).fill(1));
  });

  it('serves the last value for ttlMs after it was ready, then computes again', async () => {
    const fresh = new FreshFor(
      1000,
      async () => ++computed,
      () => now,
    );
    expect(await fresh.get()).toBe(1);
    now += 999;
    expect(await fresh.get()).toBe(1);
    now += 1;
    expect(await fresh.get()).toBe(2);
    expect(computed).toBe(2);
  });

  it('keeps no failure: the next caller computes again', async () => {
    let fail = true;
    const fresh = new FreshFor(
      1000,
      async () => {
        computed++;
        if (fail) throw new Error('database away');
        return computed;
      },
      () => now,
    );
    await expect(fresh.get()).rejects.toThrow('database away');
    fail = false;
    expect(await fresh.get()).toBe(2);
  });
});
