import { EntityManager } from 'typeorm';
import { EventPartitions, monthStart, partitionMonth, partitionName } from './event-partitions';

/** A manager that knows the partitions `names` and records every statement. */
function fake(names: string[]): { manager: EntityManager; statements: string[] } {
  const statements: string[] = [];
  const queryRunner = {
    query: async (sql: string) => {
      if (sql.includes('pg_inherits')) return { records: names.map((name) => ({ name })) };
      statements.push(sql.replace(/\s+/g, ' ').trim());
      return { records: [] };
    },
  };
  return { manager: { queryRunner } as unknown as EntityManager, statements };
}

const NOW = Date.UTC(2031, 11, 31, 23, 59); // the last minute of a year

describe('event partitions', () => {
  it('names months in UTC, and reads them back', () => {
    expect(monthStart(NOW)).toBe(Date.UTC(2031, 11, 1));
    expect(monthStart(NOW, 1)).toBe(Date.UTC(2032, 0, 1));
    expect(partitionName(monthStart(NOW, 1))).toBe('recovery_events_p2032_01');
    expect(partitionMonth('recovery_events_p2032_01')).toBe(Date.UTC(2032, 0, 1));
    expect(partitionMonth('recovery_events')).toBeNull();
  });

  it('creates the month before, this one and three ahead where missing, with UTC bounds', async () => {
    const { manager, statements } = fake(['recovery_events_p2031_12']);
    const created = await new EventPartitions().ensureAhead(manager, NOW, NOW - 90 * 86_400_000);
    expect(created).toEqual(['recovery_events_p2031_11', 'recovery_events_p2032_01', 'recovery_events_p2032_02', 'recovery_events_p2032_03']);
    expect(statements[1]).toBe(
      "CREATE TABLE recovery_events_p2032_01 PARTITION OF recovery_events FOR VALUES FROM ('2032-01-01T00:00:00.000Z') TO ('2032-02-01T00:00:00.000Z')",
    );
  });

  it('creates no month wholly before the retention cutoff, which would only be dropped again', async () => {
    const { manager } = fake([]);
    const created = await new EventPartitions().ensureAhead(manager, NOW, Date.UTC(2031, 11, 2));
    expect(created[0]).toBe('recovery_events_p2031_12');
  });

  it('finds the months that end at or before the cutoff, and drops one, never another table', async () => {
    const { manager, statements } = fake(['recovery_events_p2031_10', 'recovery_events_p2031_11', 'recovery_events_p2031_12', 'other']);
    const partitions = new EventPartitions();
    expect(await partitions.expired(manager, Date.UTC(2031, 11, 1))).toEqual(['recovery_events_p2031_10', 'recovery_events_p2031_11']);
    await partitions.drop(manager, 'recovery_events_p2031_10');
    expect(statements).toEqual([
      'ALTER TABLE recovery_events DETACH PARTITION recovery_events_p2031_10',
      'DROP TABLE recovery_events_p2031_10',
    ]);
    await expect(partitions.drop(manager, 'breakers')).rejects.toThrow('not an event partition');
  });
});
