// The dashboard's shell: sign-in gate, header with navigation and the live stream's state, the
// current page, messages. One event stream per signed-in tab feeds every view.
import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { AppContext, type AppContextValue, type NoticeTone } from './app-context.ts';
import { Notices, type Notice } from './components/notices.tsx';
import { useHashRoute } from './hooks/use-hash-route.ts';
import { useStreamState } from './hooks/use-live.ts';
import { ApiError, apiBaseOf, createApiClient, type ApiClient } from './lib/api-client.ts';
import type { EventJson, NodeStatus } from './lib/api-types.ts';
import { EventStore } from './lib/event-store.ts';
import type { Route } from './lib/hash-route.ts';
import { startLiveEvents } from './lib/live-events.ts';
import { clearToken, loadToken, saveToken } from './session.ts';
import { EventsPage } from './views/events-page.tsx';
import { IpamPage } from './views/ipam-page.tsx';
import { NetworkPage } from './views/network-page.tsx';
import { NetworksPage } from './views/networks-page.tsx';
import { SignIn } from './views/sign-in.tsx';

interface Session {
  api: ApiClient;
  status: NodeStatus;
}

const NOTICE_MS = { success: 4000, info: 4000, error: 12000 };
const HISTORY = 200;

async function openSession(token: string, onUnauthorized: () => void): Promise<Session> {
  const api = createApiClient({ base: apiBaseOf(location.href), token, onUnauthorized });
  const status = await api.get<NodeStatus>('/status');
  return { api, status };
}

function describeSignInError(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.status === 401) return 'The controller did not accept this token.';
    if (error.status === 403)
      return 'This token is scoped to one member; the dashboard needs the admin token.';
    return error.message;
  }
  return 'The controller did not answer. Is it running?';
}

export function App() {
  const [session, setSession] = useState<Session | null>(null);
  const [restoring, setRestoring] = useState(() => loadToken() !== null);
  const [signInMessage, setSignInMessage] = useState<string | undefined>(undefined);

  const signOut = useCallback((message?: string) => {
    clearToken();
    setSession(null);
    setSignInMessage(message);
  }, []);
  const onUnauthorized = useCallback(
    () => signOut('The controller no longer accepts the token (revoked or changed). Sign in again.'),
    [signOut],
  );

  // A reload keeps the tab signed in.
  useEffect(() => {
    const token = loadToken();
    if (token === null) return;
    openSession(token, onUnauthorized)
      .then(setSession, (error) => {
        if (error instanceof ApiError && error.status === 401) clearToken();
        setSignInMessage(describeSignInError(error));
      })
      .finally(() => setRestoring(false));
  }, [onUnauthorized]);

  const signIn = async (token: string): Promise<string | null> => {
    try {
      const next = await openSession(token, onUnauthorized);
      saveToken(token);
      setSignInMessage(undefined);
      setSession(next);
      return null;
    } catch (error) {
      return describeSignInError(error);
    }
  };

  if (restoring) return <p class="muted centered">Connecting…</p>;
  if (!session) return <SignIn onSubmit={signIn} message={signInMessage} />;
  return <SignedIn session={session} signOut={() => signOut()} />;
}

function SignedIn(props: { session: Session; signOut: () => void }) {
  const { api, status } = props.session;
  const events = useMemo(() => new EventStore(), [api]);
  const [notices, setNotices] = useState<Notice[]>([]);
  const nextId = useRef(1);

  const notify = useCallback((message: string, tone: NoticeTone = 'info') => {
    const id = nextId.current++;
    setNotices((list) => [...list.slice(-2), { id, message, tone }]);
    setTimeout(() => setNotices((list) => list.filter((n) => n.id !== id)), NOTICE_MS[tone]);
  }, []);

  // Recent history first, then the live stream from exactly where it ends.
  useEffect(() => {
    let stop: (() => void) | undefined;
    let cancelled = false;
    api
      .get<{ events: EventJson[] }>(`/api/v1/events?order=desc&limit=${HISTORY}`)
      .then((page) => events.add(page.events))
      .catch(() => undefined)
      .finally(() => {
        if (cancelled) return;
        stop = startLiveEvents({
          fetch: api.fetch,
          after: events.newestId,
          onEvent: (event) => events.add([event]),
          onState: (state) => events.setState(state),
        });
      });
    return () => {
      cancelled = true;
      stop?.();
    };
  }, [api, events]);

  const context: AppContextValue = useMemo(
    () => ({ api, status, events, notify }),
    [api, status, events, notify],
  );
  const route = useHashRoute();

  return (
    <AppContext.Provider value={context}>
      <a class="skip-link" href="#main" onClick={(e) => focusMain(e)}>
        Skip to content
      </a>
      <Header route={route} address={status.address} signOut={props.signOut} />
      <main id="main" tabIndex={-1}>
        <Page route={route} />
      </main>
      <Notices notices={notices} dismiss={(id) => setNotices((list) => list.filter((n) => n.id !== id))} />
    </AppContext.Provider>
  );
}

function focusMain(event: Event) {
  event.preventDefault();
  document.getElementById('main')?.focus();
}

function Header(props: { route: Route; address: string; signOut: () => void }) {
  const state = useStreamState();
  const section = props.route.page === 'network' ? 'networks' : props.route.page;
  const link = (href: string, page: string, label: string) => (
    <a href={href} aria-current={section === page ? 'page' : undefined}>
      {label}
    </a>
  );
  const live = state === 'live' ? 'Live' : state === 'stopped' ? 'Stopped' : 'Reconnecting…';
  return (
    <header class="app-header">
      <a class="brand" href="#/networks">
        Routeplane
      </a>
      <nav aria-label="Main">
        {link('#/networks', 'networks', 'Networks')}
        {link('#/ipam', 'ipam', 'IPAM')}
        {link('#/events', 'events', 'Events')}
        <a href="../api/docs" target="_blank" rel="noopener">
          API
        </a>
      </nav>
      <div class="header-end">
        <span class={`live live-${state}`} title="Live updates from the controller">
          <span class="dot" aria-hidden="true" />
          <span data-testid="live-state">{live}</span>
        </span>
        <span class="muted controller-address" title="Controller address">
          {props.address}
        </span>
        <button type="button" class="button" onClick={props.signOut}>
          Sign out
        </button>
      </div>
    </header>
  );
}

function Page(props: { route: Route }) {
  const { route } = props;
  // Move focus to the new page's heading, so keyboard and screen-reader users start there.
  const key = route.page === 'network' ? `network:${route.networkId}` : route.page;
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    document.querySelector<HTMLElement>('main h1')?.focus({ preventScroll: false });
  }, [key]);
  switch (route.page) {
    case 'networks':
      return <NetworksPage />;
    case 'network':
      return <NetworkPage networkId={route.networkId} tab={route.tab} member={route.member} />;
    case 'ipam':
      return <IpamPage />;
    case 'events':
      return <EventsPage />;
    case 'not-found':
      return (
        <section>
          <h1 tabIndex={-1}>Not found</h1>
          <p>
            Nothing lives at <code>{route.path}</code>. <a href="#/networks">Back to the networks</a>.
          </p>
        </section>
      );
  }
}
