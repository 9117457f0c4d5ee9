import fc from 'fast-check';
import { DataSource, EntityManager } from 'typeorm';
import { Tx } from '../database/transaction';
import { MAX_NOTIFY_BYTES, pack, PostgresPubSub } from './postgres.pubsub';
import { PubSubChannel } from './pubsub-channel';

const bytes = (text: string) => Buffer.byteLength(text);

/** Checks the invariants every result of `pack` must keep, and answers the group sizes. */
function checkPacked(jsons: readonly string[], payloads: readonly string[], limit: number): number[] {
  const sizes: number[] = [];
  let at = 0;
  for (const payload of payloads) {
    expect(bytes(payload)).toBeLessThanOrEqual(limit);
    const parsed: unknown = JSON.parse(payload);
    expect(Array.isArray(parsed)).toBe(true);
    const count = (parsed as unknown[]).length;
    expect(count).toBeGreaterThan(0);
    // The payload is exactly the next JSON texts, in order, joined into an array.
    expect(payload).toBe(`[${jsons.slice(at, at + count).join(',')}]`);
    at += count;
    sizes.push(count);
  }
  expect(at).toBe(jsons.length);
  // Greedy: the first message of each payload would not have fitted into the one before.
  for (let i = 1; i < payloads.length; i++) {
    const firstOfNext = jsons[sizes.slice(0, i).reduce((a, b) => a + b, 0)];
    expect(bytes(payloads[i - 1]) + 1 + bytes(firstOfNext)).toBeGreaterThan(limit);
  }
  return sizes;
}

describe('pack', () => {
  it('answers no payloads for no messages', () => {
    expect(pack([], 100)).toEqual([]);
  });

  it('puts messages that fit together into one array, in order', () => {
    const jsons = ['{"a":1}', '"two"', '3', 'null', '[4,5]'];
    expect(pack(jsons, 1000)).toEqual(['[{"a":1},"two",3,null,[4,5]]']);
  });

  it('fills each payload greedily up to the limit', () => {
    const jsons = ['1', '2', '3', '4', '5'];
    // "[1,2,3]" is exactly 7 bytes.
    expect(pack(jsons, 7)).toEqual(['[1,2,3]', '[4,5]']);
    // At 6 bytes "[1,2,3]" no longer fits.
    expect(pack(jsons, 6)).toEqual(['[1,2]', '[3,4]', '[5]']);
    // Room for one message and its brackets only.
    expect(pack(jsons, 3)).toEqual(['[1]', '[2]', '[3]', '[4]', '[5]']);
  });

  it('measures bytes, not UTF-16 code units', () => {
    // '"€"' is 3 characters but 5 bytes; '["€","€"]' is 9 characters but 13 bytes.
    const euro = JSON.stringify('€');
    expect(bytes(euro)).toBe(5);
    expect(pack([euro, euro], 13)).toEqual(['["€","€"]']);
    expect(pack([euro, euro], 12)).toEqual(['["€"]', '["€"]']);
    for (const payload of pack([euro, euro, euro], 12)) expect(bytes(payload)).toBeLessThanOrEqual(12);
  });

  it('takes a message of exactly limit - 2 bytes, alone', () => {
    const big = JSON.stringify('€€'); // 8 bytes
    expect(bytes(big)).toBe(8);
    expect(pack(['1', big, '2'], 10)).toEqual(['[1]', '["€€"]', '[2]']);
    expect(bytes(pack([big], 10)[0])).toBe(10);
  });

  it('refuses a message larger than limit - 2 bytes', () => {
    const big = JSON.stringify('€€'); // 8 bytes
    expect(() => pack(['1', big], 9)).toThrow('a message of 8 bytes exceeds the NOTIFY limit of 9');
    expect(() => pack([JSON.stringify('x'.repeat(MAX_NOTIFY_BYTES))], MAX_NOTIFY_BYTES)).toThrow(
      /exceeds the NOTIFY limit of 7000/,
    );
  });

  it('keeps order, JSON validity and the byte limit for random unicode strings', () => {
    const stringArb = fc.oneof(
      fc.string({ unit: 'grapheme', maxLength: 30 }),
      fc.string({ unit: 'binary', maxLength: 30 }),
      fc.constantFrom('€', '😀', '"', '\\', '\n', '\u2028', ''),
    );
    fc.assert(
      fc.property(fc.array(stringArb, { maxLength: 40 }), fc.nat({ max: 150 }), (strings, extra) => {
        const jsons = strings.map((s) => JSON.stringify(s));
        const largest = Math.max(0, ...jsons.map(bytes));
        const limit = largest + 2 + extra;
        const payloads = pack(jsons, limit);
        checkPacked(jsons, payloads, limit);
        // Reading the payloads back answers the inputs, in order.
        expect(payloads.flatMap((p) => JSON.parse(p) as string[])).toEqual(strings);
      }),
      { numRuns: 300 },
    );
  });

  it('keeps the invariants for arbitrary JSON values', () => {
    fc.assert(
      fc.property(fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 20 }), fc.nat({ max: 100 }), (values, extra) => {
        const jsons = values.map((v) => JSON.stringify(v));
        const limit = Math.max(0, ...jsons.map(bytes)) + 2 + extra;
        checkPacked(jsons, pack(jsons, limit), limit);
      }),
      { numRuns: 200 },
    );
  });

  it('answers the fewest payloads for equal-sized messages', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 30 }),
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 0, max: 60 }),
        (count, width, extra) => {
          const jsons = Array.from({ length: count }, (_, i) => String(i % 10).repeat(width));
          const limit = width + 2 + extra;
          // k messages take 2 + k * width + (k - 1) bytes.
          const perPayload = Math.floor((limit - 1) / (width + 1));
          expect(pack(jsons, limit)).toHaveLength(Math.ceil(count / perPayload));
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('PostgresPubSub (no connection)', () => {
  const query = () => jest.fn(async (..._args: unknown[]) => ({ records: [] }));

  function managerWith(runnerQuery: jest.Mock): EntityManager {
    return { queryRunner: { query: runnerQuery } } as unknown as EntityManager;
  }

  it('takes messages whose JSON leaves room for the array brackets', () => {
    const pubsub = new PostgresPubSub({} as DataSource, 'postgres://nowhere/db', () => 0);
    expect(pubsub.maxMessageBytes).toBe(MAX_NOTIFY_BYTES - 2);
    const largest = JSON.stringify('x'.repeat(pubsub.maxMessageBytes - 2));
    expect(bytes(largest)).toBe(pubsub.maxMessageBytes);
    expect(pack([largest], MAX_NOTIFY_BYTES)).toEqual([`[${largest}]`]);
    expect(pubsub.listening).toBe(false);
  });

  it('sends the packed payloads with one statement on the transaction', async () => {
    const poolQuery = query();
    const txQuery = query();
    const pubsub = new PostgresPubSub(
      { manager: managerWith(poolQuery) } as unknown as DataSource,
      'postgres://x/db',
      () => 0,
    );
    const tx: Tx = { manager: managerWith(txQuery), afterCommit: () => undefined };

    await pubsub.publish(PubSubChannel.RECOVERY_EVENTS, [{ ref: '1' }, 'two'], tx);

    expect(poolQuery).not.toHaveBeenCalled();
    expect(txQuery).toHaveBeenCalledTimes(1);
    const [sql, params] = txQuery.mock.calls[0] as [string, unknown[]];
    expect(sql).toContain('pg_notify($1, payload)');
    expect(params).toEqual(['breakers_recovery_events', ['[{"ref":"1"},"two"]']]);
  });

  it('sends on the data source without a transaction, and nothing for no messages', async () => {
    const poolQuery = query();
    const pubsub = new PostgresPubSub(
      { manager: managerWith(poolQuery) } as unknown as DataSource,
      'postgres://x/db',
      () => 0,
    );

    await pubsub.publish(PubSubChannel.RECOVERY_EVENTS, []);
    expect(poolQuery).not.toHaveBeenCalled();

    await pubsub.publish(PubSubChannel.RECOVERY_EVENTS, [1, 2]);
    expect(poolQuery).toHaveBeenCalledTimes(1);
    expect(poolQuery.mock.calls[0][1]).toEqual(['breakers_recovery_events', ['[1,2]']]);
  });
});
