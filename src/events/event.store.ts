import { Injectable } from '@nestjs/common';
import { AdvisoryLock } from '../database/advisory-locks';
import { queryRows } from '../database/query-rows';
import { EntityManager } from 'typeorm';
import { SortOrder } from '../common/pagination/sort-order';
import { EngineEvent, RecoveryEventType } from '../breakers/engine';
import { StoredEvent } from './stored-event';

export interface NewEvent {
  readonly breakerId: number;
  readonly breakerName: string;
  readonly event: EngineEvent;
}

export interface EventPageQuery {
  readonly breakerName?: string;
  /** Only breakers whose names start with this: a scoped key's view of the global feed. */
  readonly namePrefix?: string;
  readonly types?: readonly RecoveryEventType[];
  /** Exclusive bound: ids after this one in the requested order. */
  readonly afterId?: string;
  readonly order: SortOrder;
  readonly limit: number;
}

/** SQL for `recovery_events`, which is append-only. The services own the transactions. */
@Injectable()
export class EventStore {
  /**
   * Appends events in the given order with one INSERT; answers them with their ids.
   *
   * Ids are taken at INSERT but become visible at COMMIT, so two transactions could commit their
   * ids out of order, and a reader resuming the global feed `after` an id would skip the lower one
   * that committed later. The statement therefore first takes a transaction-scoped advisory lock,
   * held until commit: transactions that write events take ids and commit one after the other, and
   * ids commit in id order across all breakers. Every caller must take its other locks (the
   * breakers' rows) before this call, so no one waits for a row while holding the lock.
   */
  async insertMany(manager: EntityManager, events: readonly NewEvent[]): Promise<StoredEvent[]> {
    if (events.length === 0) return [];
    const col = <T>(pick: (e: NewEvent) => T): T[] => events.map(pick);
    const rows = await queryRows<{ id: string }>(
      manager,
      // The lock in the same statement, so that holding it costs no extra round trip; every row (and
      // so every nextval of the id) is joined to the CTE's one row, which is only there once it is held.
      `WITH serialised AS MATERIALIZED (SELECT pg_advisory_xact_lock($8))
       INSERT INTO recovery_events (breaker_id, type, occurred_at, duration_since_last_ms, from_state, to_state, info)
       SELECT breaker_id, type, occurred_at, duration_since_last_ms, from_state, to_state, info::jsonb
       FROM serialised,
         unnest($1::int[], $2::text[], $3::timestamptz[], $4::float8[], $5::text[], $6::text[], $7::text[])
         WITH ORDINALITY AS v(breaker_id, type, occurred_at, duration_since_last_ms, from_state, to_state, info, ord)
       ORDER BY ord
       RETURNING id`,
      [
        col((e) => e.breakerId),
        col((e) => e.event.type),
        col((e) => new Date(e.event.at).toISOString()),
        col((e) => e.event.durationSinceLastMs),
        col((e) => e.event.fromState),
        col((e) => e.event.toState),
        col((e) => JSON.stringify(e.event.info)),
        AdvisoryLock.EVENT_IDS,
      ],
    );
    // Ids come from one sequence in insertion order, which the ORDER BY fixes to the input order.
    const ids = rows.map((row) => BigInt(row.id)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    return events.map((e, i) => ({
      id: ids[i].toString(),
      breakerName: e.breakerName,
      type: e.event.type,
      occurredAt: new Date(e.event.at),
      durationSinceLastMs: e.event.durationSinceLastMs,
      fromState: e.event.fromState,
      toState: e.event.toState,
      info: { ...e.event.info },
    }));
  }

  /**
   * One page of events; answers up to `limit + 1` rows so the caller can tell whether more follow,
   * or null when the named breaker does not exist. A name is resolved to its id first: filtered
   * through the join instead, the planner walks the whole primary key for a breaker with few events.
   */
  async page(manager: EntityManager, query: EventPageQuery): Promise<StoredEvent[] | null> {
    const sql = new EventSql();
    const direction = query.order === SortOrder.ASC ? 'ASC' : 'DESC';
    let orderBy = `e.id ${direction}`;
    if (query.breakerName !== undefined) {
      const breakerId = await this.breakerIdByName(manager, query.breakerName);
      if (breakerId === null) return null;
      // A one-value range, not `=`, and breaker_id in the ORDER BY: given `=`, the planner drops
      // breaker_id from the order and may still walk the primary key, which reads the whole table
      // for a breaker whose events are few or old. (breaker_id, id) order is what the breaker index
      // yields as it is, and what the primary key cannot.
      const id = sql.param(breakerId);
      sql.where(`e.breaker_id >= ${id} AND e.breaker_id <= ${id}`);
      orderBy = `e.breaker_id ${direction}, ${orderBy}`;
    }
    if (query.namePrefix !== undefined) sql.where(`starts_with(b.name, ${sql.param(query.namePrefix)})`);
    if (query.types && query.types.length > 0) sql.where(`e.type = ANY(${sql.param(query.types)})`);
    if (query.afterId !== undefined) {
      sql.where(`e.id ${direction === 'ASC' ? '>' : '<'} ${sql.param(query.afterId)}`);
    }
    return this.select(manager, sql, `ORDER BY ${orderBy} LIMIT ${sql.param(query.limit + 1)}`);
  }

  /** Events by id, in id order. */
  async findByIds(manager: EntityManager, ids: readonly string[]): Promise<StoredEvent[]> {
    if (ids.length === 0) return [];
    const sql = new EventSql();
    sql.where(`e.id = ANY(${sql.param(ids)}::bigint[])`);
    return this.select(manager, sql, 'ORDER BY e.id');
  }

  /**
   * Where a re-read of the events since `since` starts: the id just before the first event that
   * happened at or after it, or the last id of all when none did. Ids commit in order, so every
   * event committed later lies after it.
   */
  async positionSince(manager: EntityManager, since: Date): Promise<string> {
    const [row] = await queryRows<{ position: string }>(
      manager,
      `SELECT coalesce((SELECT min(id) - 1 FROM recovery_events WHERE occurred_at >= $1),
                       (SELECT max(id) FROM recovery_events), 0)::text AS position`,
      [since],
    );
    return row.position;
  }

  /** The first `limit` events after `afterId`, in id order. */
  async findAfter(manager: EntityManager, afterId: string, limit: number): Promise<StoredEvent[]> {
    const sql = new EventSql();
    sql.where(`e.id > ${sql.param(afterId)}`);
    return this.select(manager, sql, `ORDER BY e.id LIMIT ${sql.param(limit)}`);
  }

  private async select(manager: EntityManager, sql: EventSql, tail: string): Promise<StoredEvent[]> {
    const rows = await queryRows<EventRow>(
      manager,
      `SELECT ${EVENT_COLUMNS} FROM recovery_events e JOIN breakers b ON b.id = e.breaker_id ${sql.whereClause()} ${tail}`,
      sql.params,
    );
    return rows.map(toStoredEvent);
  }

  /** The newest `limit` events of each named breaker, newest first: one statement for any number of breakers. */
  async recentForBreakers(manager: EntityManager, names: readonly string[], limit: number): Promise<StoredEvent[]> {
    if (names.length === 0) return [];
    const rows = await queryRows<EventRow>(
      manager,
      `SELECT ${EVENT_COLUMNS}
       FROM breakers b
       CROSS JOIN LATERAL (
         SELECT * FROM recovery_events e WHERE e.breaker_id = b.id ORDER BY e.id DESC LIMIT $2
       ) e
       WHERE b.name = ANY($1)
       ORDER BY b.name, e.id DESC`,
      [names, limit],
    );
    return rows.map(toStoredEvent);
  }

  async breakerExists(manager: EntityManager, name: string): Promise<boolean> {
    return (await this.breakerIdByName(manager, name)) !== null;
  }

  private async breakerIdByName(manager: EntityManager, name: string): Promise<number | null> {
    const rows = await queryRows<{ id: number }>(manager, 'SELECT id FROM breakers WHERE name = $1', [name]);
    return rows.length > 0 ? rows[0].id : null;
  }
}

const EVENT_COLUMNS = `e.id, b.name AS breaker_name, e.type, e.occurred_at, e.duration_since_last_ms,
  e.from_state, e.to_state, e.info`;

interface EventRow {
  id: string;
  breaker_name: string;
  type: RecoveryEventType;
  occurred_at: Date;
  duration_since_last_ms: number | null;
  from_state: StoredEvent['fromState'];
  to_state: StoredEvent['toState'];
  info: Record<string, unknown>;
}

/** The conditions and parameters of one SELECT on recovery_events, numbered as they are added. */
class EventSql {
  readonly params: unknown[] = [];
  private readonly conditions: string[] = [];

  param(value: unknown): string {
    this.params.push(value);
    return `$${this.params.length}`;
  }

  where(condition: string): void {
    this.conditions.push(condition);
  }

  whereClause(): string {
    return this.conditions.length > 0 ? `WHERE ${this.conditions.join(' AND ')}` : '';
  }
}

function toStoredEvent(row: EventRow): StoredEvent {
  return {
    id: String(row.id),
    breakerName: row.breaker_name,
    type: row.type,
    occurredAt: row.occurred_at,
    durationSinceLastMs: row.duration_since_last_ms,
    fromState: row.from_state,
    toState: row.to_state,
    info: row.info,
  };
}
