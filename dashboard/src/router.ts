import { useEffect, useState } from 'preact/hooks';

/** The pages, each with its own address, so that a breaker's view can be linked to. */
export type Route = { page: 'fleet' } | { page: 'breaker'; name: string } | { page: 'recommendations' };

export function parseRoute(path: string): Route {
  if (path === '/recommendations') return { page: 'recommendations' };
  const breaker = /^\/breakers\/(.+)$/.exec(path);
  if (breaker) {
    try {
      return { page: 'breaker', name: decodeURIComponent(breaker[1]) };
    } catch {
      return { page: 'fleet' };
    }
  }
  return { page: 'fleet' };
}

export function breakerPath(name: string): string {
  return `/breakers/${encodeURIComponent(name)}`;
}

export function navigate(path: string): void {
  if (path === location.pathname) return;
  history.pushState(null, '', path);
  dispatchEvent(new PopStateEvent('popstate'));
}

/** The current route, following the history (links, back and forward). */
export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.pathname));
  useEffect(() => {
    const update = () => setRoute(parseRoute(location.pathname));
    addEventListener('popstate', update);
    return () => removeEventListener('popstate', update);
  }, []);
  return route;
}

/**
 * Follows same-page links through the history instead of reloading: plain left clicks on
 * `<a href="/...">` only, so that opening in a new tab still works.
 */
export function onLinkClick(event: MouseEvent): void {
  if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) {
    return;
  }
  const link = (event.target as Element | null)?.closest?.('a');
  const href = link?.getAttribute('href');
  if (!link || !href || !href.startsWith('/') || link.target) return;
  event.preventDefault();
  navigate(href);
}
