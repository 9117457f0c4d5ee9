/** The pages, each with its own address, so that a breaker's view can be linked to. */
export type Route = { page: 'fleet' } | { page: 'breaker'; name: string } | { page: 'recommendations' };

export function parseRoute(path: string): Route {
  if (path === '/recommendations') return { page: 'recommendations' };
  const breaker = /^\/breakers\/(.+)$/.exec(path);
  if (breaker) {
    try {
      const once = decodeURIComponent(breaker[1]);
      // Names hold no '%' (the API refuses it), so one left means the name was encoded twice.
      return { page: 'breaker', name: once.includes('%') ? decodeURIComponent(once) : once };
    } catch {
      return { page: 'fleet' };
    }
  }
  return { page: 'fleet' };
}

/**
 * A breaker's address. A name that is `.` or `..` would be a dot segment, which the browser
 * resolves away (and `%2E` too), so such a name is encoded twice: `/breakers/%252E%252E`.
 */
export function breakerPath(name: string): string {
  const once = encodeURIComponent(name);
  return `/breakers/${/^\.{1,2}$/.test(name) ? encodeURIComponent(once.replace(/\./g, '%2E')) : once}`;
}
