import { AppError } from '../common/errors/app-error';
import { HealthStatus } from './health-status';

/** What paging needs of a report: its graded services and its advice. */
interface ReportLists<S extends { name: string; healthStatus: HealthStatus }, R extends { breakerName: string; kind: string }> {
  readonly services: readonly S[];
  readonly recommendations: readonly R[];
}

export interface ReportListQuery {
  readonly status?: HealthStatus | null;
  readonly first?: number | null;
  readonly after?: string | null;
}

/**
 * One page of a report list, in the report's order: the items with `status` (when given), from
 * the one after `after` (the key of the previous page's last item), at most `first`. With no
 * argument, the whole list. An `after` that names no item of the filtered list is BAD_USER_INPUT.
 * Linear in the list's length.
 */
function page<T>(items: readonly T[], keyOf: (item: T) => string, query: ReportListQuery, keep: (item: T) => boolean): T[] {
  const filtered = query.status ? items.filter(keep) : [...items];
  let start = 0;
  if (query.after !== undefined && query.after !== null) {
    const index = filtered.findIndex((item) => keyOf(item) === query.after);
    if (index < 0) throw AppError.badInput('after', `"${query.after}" is not in this list of the current report`);
    start = index + 1;
  }
  return filtered.slice(start, query.first ? start + query.first : undefined);
}

/**
 * Services are in code-point order of their names (see the facts query), so `after` is a keyset:
 * the page goes on with the names after it, whether or not that one is still in the report (a
 * recompute between two pages may have regraded or filtered it out).
 */
export function servicesPage<S extends { name: string; healthStatus: HealthStatus }>(
  report: ReportLists<S, { breakerName: string; kind: string }>,
  query: ReportListQuery,
): S[] {
  const after = query.after;
  const items = report.services.filter(
    (s) => (!query.status || s.healthStatus === query.status) && (after === undefined || after === null || s.name > after),
  );
  return query.first ? items.slice(0, query.first) : items;
}

/** A recommendation's key for `after`: `breakerName/kind` (kinds hold no '/'). */
export function recommendationKey(r: { breakerName: string; kind: string }): string {
  return `${r.breakerName}/${r.kind}`;
}

/**
 * Recommendations filtered by the grade of the breaker they are about. They are ordered by
 * severity first, so `after` must name one of the current report's: a recompute that dropped it
 * answers BAD_USER_INPUT, and the client starts again from the first page.
 */
export function recommendationsPage<R extends { breakerName: string; kind: string }>(
  report: ReportLists<{ name: string; healthStatus: HealthStatus }, R>,
  query: ReportListQuery,
): R[] {
  const statusOf = new Map(report.services.map((s) => [s.name, s.healthStatus]));
  return page(report.recommendations, recommendationKey, query, (r) => statusOf.get(r.breakerName) === query.status);
}
