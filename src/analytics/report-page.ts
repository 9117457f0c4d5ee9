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

export function servicesPage<S extends { name: string; healthStatus: HealthStatus }>(
  report: ReportLists<S, { breakerName: string; kind: string }>,
  query: ReportListQuery,
): S[] {
  return page(report.services, (s) => s.name, query, (s) => s.healthStatus === query.status);
}

/** A recommendation's key for `after`: `breakerName/kind` (kinds hold no '/'). */
export function recommendationKey(r: { breakerName: string; kind: string }): string {
  return `${r.breakerName}/${r.kind}`;
}

/** Recommendations filtered by the grade of the breaker they are about. */
export function recommendationsPage<R extends { breakerName: string; kind: string }>(
  report: ReportLists<{ name: string; healthStatus: HealthStatus }, R>,
  query: ReportListQuery,
): R[] {
  const statusOf = new Map(report.services.map((s) => [s.name, s.healthStatus]));
  return page(report.recommendations, recommendationKey, query, (r) => statusOf.get(r.breakerName) === query.status);
}
