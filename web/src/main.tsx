import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { Api, ApiError } from './api';
import { BreakerView } from './components/BreakerView';
import { FleetView } from './components/FleetView';
import { Layout } from './components/Layout';
import { RecommendationsView } from './components/RecommendationsView';
import { SignIn } from './components/SignIn';
import { FleetStore } from './fleet-store';
import { Viewer } from './model';
import { VIEWER } from './queries';
import { onLinkClick, useRoute } from './router';
import { storedKey, storeKey } from './session';

interface Session {
  api: Api;
  viewer: Viewer;
  fleet: FleetStore;
}

/** Checks a key with the `viewer` query; answers the session, or throws the API's error. */
async function openSession(key: string, onAuthLost: (message: string) => void): Promise<Session> {
  const api = new Api(key, onAuthLost);
  const { viewer } = await api.request<{ viewer: Viewer }>(VIEWER);
  const fleet = new FleetStore(api);
  fleet.start();
  return { api, viewer, fleet };
}

function App() {
  const [session, setSession] = useState<Session | null>(null);
  const [checking, setChecking] = useState(() => storedKey() !== null);
  const [message, setMessage] = useState<string | null>(null);
  const route = useRoute();

  const signOut = (why: string | null) => {
    storeKey(null);
    setSession((old) => {
      old?.fleet.stop();
      old?.api.close();
      return null;
    });
    setMessage(why);
  };

  const signIn = async (key: string) => {
    try {
      const opened = await openSession(key, (why) => signOut(why));
      storeKey(key);
      setMessage(null);
      setSession(opened);
    } catch (error) {
      setMessage(
        error instanceof ApiError && error.code === 'UNAUTHENTICATED'
          ? 'That API key was not accepted. Check it and try again.'
          : (error as Error).message,
      );
    } finally {
      setChecking(false);
    }
  };

  useEffect(() => {
    const key = storedKey();
    if (key !== null) void signIn(key);
  }, []);

  if (checking) return <p class="checking">Signing in…</p>;
  if (!session) return <SignIn message={message} onSignIn={signIn} />;
  return (
    <Layout viewer={session.viewer} fleet={session.fleet} onSignOut={() => signOut(null)}>
      {route.page === 'fleet' && <FleetView fleet={session.fleet} />}
      {route.page === 'breaker' && <BreakerView key={route.name} name={route.name} api={session.api} viewer={session.viewer} />}
      {route.page === 'recommendations' && <RecommendationsView api={session.api} />}
    </Layout>
  );
}

document.addEventListener('click', onLinkClick);
render(<App />, document.getElementById('app')!);
