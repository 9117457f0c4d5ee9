import { DataSource, EntityManager } from 'typeorm';
import { inTransaction, retryDelayMs, TRANSACTION_ATTEMPTS } from './transaction';

/** What the fake runners were asked to do, in order. */
const calls: string[] = [];

/** A DataSource whose transactions fail with the given errors, in turn, at commit, then succeed. */
function failingThen(errors: unknown[]): DataSource {
  const runner = () => {
    let active = false;
    return {
      manager: {} as EntityManager,
      get isTransactionActive() {
        return active;
      },
      startTransaction: async () => void (active = true),
      commitTransaction: async () => {
        const error = errors.shift();
        if (error) throw error;
        active = false;
        calls.push('commit');
      },
      rollbackTransaction: async () => void ((active = false), calls.push('rollback')),
      release: async () => void calls.push('release'),
      releasePostgresConnection: async (err: Error) => void calls.push(`destroy: ${err.message}`),
    };
  };
  return { createQueryRunner: runner } as unknown as DataSource;
}

const pgError = (code: string) => Object.assign(new Error(`pg ${code}`), { code, severity: 'ERROR' });

describe('inTransaction', () => {
  beforeEach(() => calls.splice(0));

  it('retries a deadlock and a serialization failure, and runs only the last try’s callbacks', async () => {
    const ran: number[] = [];
    let tries = 0;
    const result = await inTransaction(failingThen([pgError('40P01'), pgError('40001')]), async (tx) => {
      const attempt = ++tries;
      tx.afterCommit(() => ran.push(attempt));
      return `try ${attempt}`;
    });
    expect(result).toBe('try 3');
    expect(ran).toEqual([3]);
  });

  it('gives up after TRANSACTION_ATTEMPTS tries with the conflict itself', async () => {
    let tries = 0;
    const conflicts = Array.from({ length: TRANSACTION_ATTEMPTS + 1 }, () => pgError('40P01'));
    await expect(inTransaction(failingThen(conflicts), async () => ++tries)).rejects.toThrow('pg 40P01');
    expect(tries).toBe(TRANSACTION_ATTEMPTS);
  });

  it('does not retry any other error, nor a socket error that merely has a code', async () => {
    for (const error of [pgError('23505'), Object.assign(new Error('socket'), { code: 'EPIPE' }), new Error('bug')]) {
      let tries = 0;
      await expect(inTransaction(failingThen([error]), async () => ++tries)).rejects.toBe(error);
      expect(tries).toBe(1);
    }
  });

  it('waits a jittered pause that doubles its window with each try', () => {
    expect([1, 2, 3, 4].map((attempt) => retryDelayMs(attempt, () => 0.999))).toEqual([10, 20, 40, 80]);
    expect(retryDelayMs(3, () => 0)).toBe(1);
  });

  it('rolls back after an error the server answered, and destroys a connection that did not answer', async () => {
    await expect(inTransaction(failingThen([pgError('23505')]), async () => 1)).rejects.toThrow('pg 23505');
    expect(calls).toEqual(['rollback', 'release']);
    calls.splice(0);
    const partition = new Error('Query read timeout');
    await expect(inTransaction(failingThen([partition]), async () => 1)).rejects.toBe(partition);
    expect(calls).toEqual(['destroy: Query read timeout']);
  });
});
