import { Injectable } from '@nestjs/common';
import { queryRows } from '../database/query-rows';
import { EntityManager } from 'typeorm';
import { SortOrder } from '../common/pagination/sort-order';
import { EngineEvent, RecoveryEventType } from '../breakers/engine';
import { RecoveryEventEntity } from './recovery-event.entity';
import { StoredEvent } from './stored-event';

export interface NewEvent {
  readonly breakerId: number;
  readonly breakerName: string;
  readonly event: EngineEvent;
}

export interface EventPageQuery {
  readonly breakerName?: string;
  readonly types?: readonly RecoveryEventType[];
  /** Exclusive bound: ids after this one in the requested order. */
  readonly afterId?: string;
  readonly order: SortOrder;
  readonly limit: number;
}

/** SQL for `recovery_events`, which is append-only. The services own the transactions. */
@Injectable()
export class EventStore {
  /** Appends events in the given order with one INSERT; answers them with their ids. */
  async insertMany(manager: EntityManager, events: readonly NewEvent[]): Promise<StoredEvent[]> {
    if (events.length === 0) return [];
    const col = <T>(pick: (e: NewEvent) => T): T[] => events.map(pick);
    const rows = await queryRows<{ id: string }>(
      manager,
      `INSERT INTO recovery_events (breaker_id, type, occurred_at, duration_since_last_ms, from_state, to_state, info)
       SELECT breaker_id, type, occurred_at, duration_since_last_ms, from_state, to_state, info::jsonb
       FROM unnest($1::int[], $2::text[], $3::timestamptz[], $4::float8[], $5::text[], $6::text[], $7::text[])
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

  /** One page of events; answers up to `limit + 1` rows so the caller can tell whether more follow. */
  async page(manager: EntityManager, query: EventPageQuery): Promise<StoredEvent[]> {
    const qb = this.selectWithName(manager)
      .orderBy('e.id', query.order)
      .limit(query.limit + 1);
    if (query.breakerName !== undefined) qb.andWhere('b.name = :name', { name: query.breakerName });
    if (query.types && query.types.length > 0) qb.andWhere('e.type = ANY(:types)', { types: query.types });
    if (query.afterId !== undefined) {
      qb.andWhere(query.order === SortOrder.ASC ? 'e.id > :afterId' : 'e.id < :afterId', { afterId: query.afterId });
    }
    return (await qb.getMany()).map(toStoredEvent);
  }

  /** Events by id, in id order. */
  async findByIds(manager: EntityManager, ids: readonly string[]): Promise<StoredEvent[]> {
    if (ids.length === 0) return [];
    const rows = await this.selectWithName(manager).where('e.id = ANY(:ids)', { ids }).orderBy('e.id').getMany();
    return rows.map(toStoredEvent);
  }

  /** Events that happened at or after `since`, in id order, at most `limit`. */
  async findSince(manager: EntityManager, since: Date, limit: number): Promise<StoredEvent[]> {
    const rows = await this.selectWithName(manager)
      .where('e.occurred_at >= :since', { since })
      .orderBy('e.id')
      .limit(limit)
      .getMany();
    return rows.map(toStoredEvent);
  }

  private selectWithName(manager: EntityManager) {
    return manager
      .getRepository(RecoveryEventEntity)
      .createQueryBuilder('e')
      .innerJoin('e.breaker', 'b')
      .addSelect(['b.id', 'b.name']);
  }

  /** The newest `limit` events of each named breaker, newest first: one statement for any number of breakers. */
  async recentForBreakers(manager: EntityManager, names: readonly string[], limit: number): Promise<StoredEvent[]> {
    if (names.length === 0) return [];
    const rows = await queryRows<{
      id: string;
      breaker_name: string;
      type: RecoveryEventType;
      occurred_at: Date;
      duration_since_last_ms: number | null;
      from_state: StoredEvent['fromState'];
      to_state: StoredEvent['toState'];
      info: Record<string, unknown>;
    }>(
      manager,
      `SELECT e.id, b.name AS breaker_name, e.type, e.occurred_at, e.duration_since_last_ms, e.from_state, e.to_state, e.info
       FROM breakers b
       CROSS JOIN LATERAL (
         SELECT * FROM recovery_events e WHERE e.breaker_id = b.id ORDER BY e.id DESC LIMIT $2
       ) e
       WHERE b.name = ANY($1)
       ORDER BY b.name, e.id DESC`,
      [names, limit],
    );
    return rows.map((r) => ({
      id: String(r.id),
      breakerName: r.breaker_name,
      type: r.type,
      occurredAt: r.occurred_at,
      durationSinceLastMs: r.duration_since_last_ms,
      fromState: r.from_state,
      toState: r.to_state,
      info: r.info,
    }));
  }

  async breakerExists(manager: EntityManager, name: string): Promise<boolean> {
    const rows = await queryRows<unknown>(manager, 'SELECT 1 FROM breakers WHERE name = $1', [name]);
    return rows.length > 0;
  }
}

function toStoredEvent(row: RecoveryEventEntity): StoredEvent {
  return {
    id: row.id,
    breakerName: row.breaker.name,
    type: row.type,
    occurredAt: row.occurredAt,
    durationSinceLastMs: row.durationSinceLastMs,
    fromState: row.fromState,
    toState: row.toState,
    info: row.info,
  };
}
