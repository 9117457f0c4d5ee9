import { useEffect, useState } from 'preact/hooks';
import { parseRoute, Route } from './routes';

export { breakerPath } from './routes';
export type { Route } from './routes';

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
