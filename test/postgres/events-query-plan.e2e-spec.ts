import { DataSource, QueryRunner } from 'typeorm';
import { RecoveryEventType } from '../../src/breakers/engine';
import { SortOrder } from '../../src/common/pagination/sort-order';
import { EventPageQuery, EventStore } from '../../src/events/event.store';
import { errorCode, gql, gqlOk, useTestApp } from '../support/test-app';
import { withClient } from '../support/test-database';

/** A plan node of EXPLAIN (FORMAT JSON), as much of it as these checks read. */
interface PlanNode {
  readonly 'Node Type': string;
  readonly 'Index Name'?: string;
  readonly 'Scan Direction'?: string;
  readonly Plans?: PlanNode[];
}

const flatten = (node: PlanNode): PlanNode[] => [node, ...(node.Plans ?? []).flatMap(flatten)];
const describeScan = (n: PlanNode) => `${n['Node Type']} ${n['Scan Direction'] ?? ''} ${n['Index Name'] ?? ''}`.trim();

/**
 * breakerEvents(breakerName:) on a table large enough for the planner's choice to matter. The store's
 * own statements are captured and explained, so the check follows whatever SQL it runs.
 */
describe('breakerEvents query plan for a named breaker (e2e, Postgres)', () => {
  const fixture = useTestApp();
  const BUSY_BREAKERS = 20;
  const EVENTS = 200_000;

  beforeAll(async () => {
    // Seeded on a connection of its own: the app's pool times statements out sooner than this takes.
    await withClient(fixture.db.url!, async (seed) => {
      await seed.query(
        `INSERT INTO breakers (name, state, failure_threshold, open_timeout_ms, max_open_timeout_ms, half_open_max_calls,
                             success_threshold, current_open_timeout_ms, state_changed_at)
       SELECT name, 'CLOSED', 5, 30000, 60000, 1, 1, 30000, now()
       FROM (SELECT 'plan.busy-' || g AS name FROM generate_series(1, $1) g UNION ALL SELECT 'plan.quiet') n`,
        [BUSY_BREAKERS],
      );
      await seed.query(
        `INSERT INTO recovery_events (breaker_id, type, occurred_at, from_state, to_state)
       SELECT b.id, 'CIRCUIT_OPENED', now() - g * interval '1 second', 'CLOSED', 'OPEN'
       FROM generate_series(1, $1) g
       JOIN (SELECT id, row_number() OVER (ORDER BY id) - 1 AS n FROM breakers WHERE name LIKE 'plan.busy-%') b
         ON b.n = g % $2`,
        [EVENTS, BUSY_BREAKERS],
      );
      await seed.query('ANALYZE breakers');
      await seed.query('ANALYZE recovery_events');
    });
  }, 120_000);

  /** Runs one store page on a runner whose statements on recovery_events are explained as they go. */
  async function plansOfPage(query: EventPageQuery): Promise<PlanNode[][]> {
    const dataSource = fixture.app.app.get(DataSource);
    const store = fixture.app.app.get(EventStore);
    const runner: QueryRunner = dataSource.createQueryRunner();
    const plans: PlanNode[][] = [];
    const run = runner.query.bind(runner);
    runner.query = (async (sql: string, params?: unknown[], structured?: boolean) => {
      if (/recovery_events/.test(sql)) {
        const [row] = await run(`EXPLAIN (FORMAT JSON) ${sql}`, params);
        plans.push(flatten(row['QUERY PLAN'][0].Plan));
      }
      return run(sql, params, structured as true);
    }) as QueryRunner['query'];
    try {
      await store.page(runner.manager, query);
    } finally {
      await runner.release();
    }
    return plans;
  }

  for (const order of [SortOrder.DESC, SortOrder.ASC]) {
    it(`reads a quiet and a busy breaker by its breaker_id index, not by walking the primary key (${order})`, async () => {
      // Also with a type filter, and after a cursor deep in the table, as a resuming client asks.
      const variants = [{}, { types: [RecoveryEventType.CIRCUIT_OPENED], afterId: String(EVENTS / 2) }];
      for (const [breakerName, variant] of ['plan.quiet', 'plan.busy-3'].flatMap((n) =>
        variants.map((v) => [n, v] as const),
      )) {
        const plans = await plansOfPage({ breakerName, order, limit: 50, ...variant });
        expect(plans.length).toBeGreaterThan(0);
        const scans = plans
          .flat()
          .filter((n) => n['Index Name'] !== undefined)
          .map(describeScan);
        // recovery_events is partitioned by month: each partition has its own copy of each index,
        // named after the partition (recovery_events_p2026_12_breaker_id_id_idx, …_pkey).
        expect(scans).not.toContainEqual(expect.stringMatching(/recovery_events(_p\d{4}_\d{2})?_pkey$/));
        expect(scans).toContainEqual(expect.stringMatching(/(recovery_events_breaker_idx|_breaker_id_id_idx)$/));
      }
    });
  }

  it('answers the quiet breaker with an empty page, the busy one in order, and an unknown one NOT_FOUND', async () => {
    const query = `query($n: String) { breakerEvents(breakerName: $n, first: 3) {
      edges { node { id breakerName } } pageInfo { hasNextPage } } }`;
    const quiet = await gqlOk(fixture.app, query, { n: 'plan.quiet' });
    expect(quiet.breakerEvents).toEqual({ edges: [], pageInfo: { hasNextPage: false } });

    const busy = await gqlOk(fixture.app, query, { n: 'plan.busy-3' });
    const nodes = busy.breakerEvents.edges.map((e: any) => e.node);
    expect(nodes).toHaveLength(3);
    expect(nodes.every((n: any) => n.breakerName === 'plan.busy-3')).toBe(true);
    expect(BigInt(nodes[0].id)).toBeGreaterThan(BigInt(nodes[1].id));
    expect(busy.breakerEvents.pageInfo.hasNextPage).toBe(true);

    const unknown = await gql(fixture.app, query, { n: 'plan.nobody' });
    expect(errorCode(unknown)).toBe('NOT_FOUND');
    expect(unknown.errors![0].message).toContain('plan.nobody');
  });
});
