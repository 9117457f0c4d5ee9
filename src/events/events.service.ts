import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AppError } from '../common/errors/app-error';
import { decodeEventCursor, encodeEventCursor } from '../common/pagination/cursor';
import { SortOrder } from '../common/pagination/sort-order';
import { BreakerEventsArgs, DEFAULT_PAGE_SIZE } from './dto/breaker-events.args';
import { EventStore } from './event.store';
import { RecoveryEventConnection } from './recovery-event.model';

/** Reads the recovery event history. */
@Injectable()
export class EventsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly store: EventStore,
  ) {}

  /**
   * One page of events, keyset-paginated by id; an unknown breaker is NOT_FOUND. With `namePrefix`,
   * only the events of breakers whose names start with it.
   */
  async page(args: BreakerEventsArgs, namePrefix?: string): Promise<RecoveryEventConnection> {
    const first = args.first ?? DEFAULT_PAGE_SIZE;
    const afterId = args.after ? decodeEventCursor(args.after) : undefined;
    const manager = this.dataSource.manager;
    const rows = await this.store.page(manager, {
      breakerName: args.breakerName ?? undefined,
      namePrefix,
      types: args.types ?? undefined,
      afterId,
      order: args.order ?? SortOrder.DESC,
      limit: first,
    });
    if (rows === null) throw AppError.notFound(`unknown breaker: "${args.breakerName}"`);
    const page = rows.slice(0, first);
    const edges = page.map((node) => ({ cursor: encodeEventCursor(node.id), node }));
    return {
      edges,
      pageInfo: {
        hasNextPage: rows.length > first,
        endCursor: edges.length ? edges[edges.length - 1].cursor : null,
      },
    };
  }
}
