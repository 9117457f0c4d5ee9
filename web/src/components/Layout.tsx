import { ComponentChildren } from 'preact';
import { FleetStore } from '../fleet-store';
import { Viewer } from '../model';
import { useFleet } from './use-fleet';

/** The frame of every page: navigation, who is signed in, the live status, and the announcements. */
export function Layout({
  viewer,
  fleet,
  onSignOut,
  children,
}: {
  viewer: Viewer;
  fleet: FleetStore;
  onSignOut: () => void;
  children: ComponentChildren;
}) {
  const { live, announcement } = useFleet(fleet);
  return (
    <>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="top">
        <nav aria-label="Pages">
          <a href="/">Fleet</a>
          <a href="/recommendations">Recommendations</a>
        </nav>
        <span class={`live ${live ? 'on' : 'off'}`}>{live ? 'Live' : 'Reconnecting…'}</span>
        <span class="who">
          {viewer.name} · {viewer.role}
          {viewer.scope ? ` · ${viewer.scope}*` : ''}
        </span>
        <button type="button" onClick={onSignOut}>
          Sign out
        </button>
      </header>
      <div class="visually-hidden" aria-live="polite" role="status">
        {announcement}
      </div>
      <main id="main" tabIndex={-1}>
        {children}
      </main>
    </>
  );
}
