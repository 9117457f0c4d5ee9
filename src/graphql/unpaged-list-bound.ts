import { Injectable } from '@nestjs/common';
import { GraphQLError } from 'graphql';
import { DataSource } from 'typeorm';
import { Clock } from '../common/clock';
import { isDatabaseUnavailable } from '../common/errors/database-errors';
import { ErrorCode } from '../common/errors/error-code';

/** A figure a second old is close enough for an estimate, and keeps the count off the hot path. */
const FRESH_FOR_MS = 1000;

/**
 * What an unpaged list may hold, for the cost estimate: the number of breakers or of API keys,
 * whichever is larger. Every unpaged list (`breakers`, `recoveryMetrics`, the report's services,
 * `apiKeys`) has at most one item per breaker or per key.
 */
@Injectable()
export class UnpagedListBound {
  private known = 0;
  private readAt = Number.NEGATIVE_INFINITY;
  private reading: Promise<number> | null = null;

  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
  ) {}

  /** The current bound, read from the database at most once a second (callers in between share the read). */
  current(): Promise<number> {
    if (this.clock.now() - this.readAt < FRESH_FOR_MS) return Promise.resolve(this.known);
    this.reading ??= this.read().finally(() => {
      this.reading = null;
    });
    return this.reading;
  }

  private async read(): Promise<number> {
    let rows: { n: number }[];
    try {
      rows = await this.dataSource.query(
        'SELECT greatest((SELECT count(*) FROM breakers), (SELECT count(*) FROM api_keys))::int AS n',
      );
    } catch (error) {
      if (!isDatabaseUnavailable(error)) throw error;
      throw new GraphQLError('the database is unavailable; try again shortly', {
        extensions: { code: ErrorCode.SERVICE_UNAVAILABLE, http: { status: 503 } },
      });
    }
    this.known = rows[0].n;
    this.readAt = this.clock.now();
    return this.known;
  }
}
