import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { queryRows } from '../database/query-rows';

/** Months created ahead of the current one, so that an insert never lacks its partition. */
export const MONTHS_AHEAD = 3;

const NAME = /^recovery_events_p(\d{4})_(\d{2})$/;

/** The start (UTC) of the month holding `ms`, and of the one `months` later. */
export function monthStart(ms: number, months = 0): number {
  const d = new Date(ms);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + months, 1);
}

/** `recovery_events_p2026_12`: the partition of the month starting at `startMs`, as the migration names them. */
export function partitionName(startMs: number): string {
  const d = new Date(startMs);
  return `recovery_events_p${d.getUTCFullYear()}_${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
}

/** The statement that creates the partition of the month starting at `startMs` (made from numbers alone). */
export function createPartitionSql(startMs: number): string {
  const from = new Date(startMs).toISOString();
  const to = new Date(monthStart(startMs, 1)).toISOString();
  return `CREATE TABLE ${partitionName(startMs)} PARTITION OF recovery_events FOR VALUES FROM ('${from}') TO ('${to}')`;
}

/** The month a partition of ours holds, from its name; null for any other table. */
export function partitionMonth(name: string): number | null {
  const match = NAME.exec(name);
  return match ? Date.UTC(Number(match[1]), Number(match[2]) - 1, 1) : null;
}

/**
 * The monthly partitions of recovery_events (see the PartitionEvents migration): created ahead of
 * time, and dropped whole once every event in them is past its retention. Callers hold the lock
 * that makes one instance at a time do this, and a short lock_timeout: the DDL takes
 * recovery_events exclusively, and event writers must not queue behind it for long.
 */
@Injectable()
export class EventPartitions {
  /**
   * Creates the partitions of the month holding `now`, of the MONTHS_AHEAD after it, and of the
   * month before (events just past a month's turn, written with a clock a little behind), where
   * missing; none for a month wholly before `keepFrom`, the retention cutoff, which would only be
   * dropped again.
   */
  ensureAhead(manager: EntityManager, now: number, keepFrom: number): Promise<string[]> {
    const previous = monthStart(now, -1);
    const from = monthStart(previous, 1) <= keepFrom ? now : previous;
    return this.ensureRange(manager, from, monthStart(now, MONTHS_AHEAD));
  }

  /** Creates the partitions of every month from the one holding `fromMs` to the one holding `toMs`, where missing. */
  async ensureRange(manager: EntityManager, fromMs: number, toMs: number): Promise<string[]> {
    const existing = new Set(await this.names(manager));
    const created: string[] = [];
    for (let start = monthStart(fromMs); start <= toMs; start = monthStart(start, 1)) {
      const name = partitionName(start);
      if (existing.has(name)) continue;
      await queryRows(manager, createPartitionSql(start));
      created.push(name);
    }
    return created;
  }

  /** The partitions whose whole month ends at or before `cutoff`, oldest first: those retention drops. */
  async expired(manager: EntityManager, cutoff: number): Promise<string[]> {
    return (await this.names(manager)).filter((name) => {
      const month = partitionMonth(name);
      return month !== null && monthStart(month, 1) <= cutoff;
    });
  }

  /**
   * Detaches and drops one month: retention without deleting, or even reading, its rows. The
   * partitions hold no foreign key, so this locks recovery_events and the month alone.
   */
  async drop(manager: EntityManager, name: string): Promise<void> {
    if (partitionMonth(name) === null) throw new Error(`not an event partition: ${name}`);
    await queryRows(manager, `ALTER TABLE recovery_events DETACH PARTITION ${name}`);
    await queryRows(manager, `DROP TABLE ${name}`);
  }

  /** The partitions of recovery_events, oldest first. */
  async names(manager: EntityManager): Promise<string[]> {
    const rows = await queryRows<{ name: string }>(
      manager,
      `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
       WHERE i.inhparent = 'recovery_events'::regclass ORDER BY c.relname`,
    );
    return rows.map((r) => r.name);
  }
}
