/**
 * Data-modifying CTEs that another statement runs along with its own, so that two writes cost
 * one round trip to Postgres. Inside the write path's transaction a round trip is what a batch
 * waits for most: one more trivial statement there cost about 6 % of ingest.
 */
export interface CteFragment {
  /** The CTEs (`name AS (…), …`), their parameters numbered from `$firstParam` on. */
  ctes(firstParam: number): string;
  /** Their parameters, in that order. */
  readonly params: readonly unknown[];
}
