import { Component, lazy, type ReactNode, Suspense, useCallback, useEffect, useState } from 'react';
import { api, type Responses, UNAUTHORIZED_EVENT } from './api.js';
import { prefetchMap } from './map/prefetch.js';
import { LoginPage } from './pages/Login.js';
import { Link, type Route, useRoute } from './router.js';
import { Loading } from './ui.js';

/**
 * Each page is its own chunk, loaded when first shown: the graph library (cytoscape) comes with the network and
 * crypto pages only, the map code with the map, vessel and finding pages (its basemap is a JSON asset fetched by the map), so the shell and
 * a light page (search, overview) paint without them.
 */
const OverviewPage = lazy(() => import('./pages/Overview.js').then((m) => ({ default: m.OverviewPage })));
const MapPage = lazy(() => import('./pages/MapPage.js').then((m) => ({ default: m.MapPage })));
const VesselPage = lazy(() => import('./pages/Vessel.js').then((m) => ({ default: m.VesselPage })));
const SearchPage = lazy(() => import('./pages/Search.js').then((m) => ({ default: m.SearchPage })));
const EntityPage = lazy(() => import('./pages/Entity.js').then((m) => ({ default: m.EntityPage })));
const FindingPage = lazy(() => import('./pages/Finding.js').then((m) => ({ default: m.FindingPage })));
const NetworkPage = lazy(() => import('./pages/Network.js').then((m) => ({ default: m.NetworkPage })));
const CryptoPage = lazy(() => import('./pages/Crypto.js').then((m) => ({ default: m.CryptoPage })));
const CasesPage = lazy(() => import('./pages/Cases.js').then((m) => ({ default: m.CasesPage })));
const CasePage = lazy(() => import('./pages/Cases.js').then((m) => ({ default: m.CasePage })));
const DedupePage = lazy(() => import('./pages/Dedupe.js').then((m) => ({ default: m.DedupePage })));
const WatchPage = lazy(() => import('./pages/Watch.js').then((m) => ({ default: m.WatchPage })));
const TradePage = lazy(() => import('./pages/Trade.js').then((m) => ({ default: m.TradePage })));
const ImportsPage = lazy(() => import('./pages/Imports.js').then((m) => ({ default: m.ImportsPage })));

// Opened on the map: ask for its data now, while its code is still on the way.
if (window.location.pathname === '/map') prefetchMap(new URLSearchParams(window.location.search));

const NAV: Array<[string, string]> = [
  ['/', 'Overview'],
  ['/map', 'Map'],
  ['/search', 'Search'],
  ['/network', 'Network'],
  ['/crypto', 'Crypto trace'],
  ['/trade', 'Trade'],
  ['/case', 'Cases'],
  ['/watch', 'Watchlist & alerts'],
  ['/dedupe', 'Dedupe'],
  ['/import', 'Imports'],
];

function page(route: Route): ReactNode {
  const [first, second] = route.segments;
  switch (first) {
    case undefined:
      return <OverviewPage />;
    case 'map':
      return <MapPage route={route} />;
    case 'vessel':
      return second ? (
        <VesselPage id={second} />
      ) : (
        <NotFound what="a vessel id in the address (e.g. /vessel/ais-445123000)" />
      );
    case 'search':
      return <SearchPage route={route} />;
    case 'entity':
      return second ? <EntityPage id={second} /> : <NotFound what="an entity id in the address" />;
    case 'finding':
      return second ? <FindingPage id={second} /> : <NotFound what="a finding id in the address" />;
    case 'network':
      return <NetworkPage route={route} />;
    case 'crypto':
      return <CryptoPage route={route} />;
    case 'case':
      return second ? <CasePage id={second} /> : <CasesPage />;
    case 'watch':
      return <WatchPage />;
    case 'dedupe':
      return <DedupePage route={route} />;
    case 'trade':
      return <TradePage />;
    case 'import':
      return <ImportsPage />;
    default:
      return <NotFound what={`a page called "${first}"`} />;
  }
}

function NotFound({ what }: { what: string }) {
  return (
    <div className="msg error" role="alert" data-testid="error">
      <strong>Page not found.</strong> This address needs {what}. Go back to the <Link to="/">overview</Link>.
    </div>
  );
}

/** Last line of defence: a rendering bug shows a message, never a blank screen. */
class Boundary extends Component<{ children: ReactNode; resetKey: string }, { error: Error | null; key: string }> {
  override state = { error: null as Error | null, key: this.props.resetKey };
  static getDerivedStateFromError(error: Error) {
    return { error };
  }
  static getDerivedStateFromProps(props: { resetKey: string }, state: { error: Error | null; key: string }) {
    return props.resetKey !== state.key ? { error: null, key: props.resetKey } : null;
  }
  override render() {
    if (this.state.error) {
      return (
        <div className="msg error" role="alert" data-testid="error">
          <strong>This view failed to render.</strong> {this.state.error.message}
        </div>
      );
    }
    return this.props.children;
  }
}

/**
 * Write controls a viewer cannot use (the API would answer 403): hidden when the signed-in user is a viewer.
 * Keyed on the pages' test ids, so no page needs to know about roles.
 */
const VIEWER_HIDDEN = [
  'add-to-case',
  'watch-button',
  'create-case',
  'add-item',
  'attach-drop',
  'watch-add',
  'judge-positive',
  'judge-negative',
  'judge-unsure',
]
  .map((id) => `.app[data-role="viewer"] [data-testid="${id}"]`)
  .join(', ');

type Me = Responses['me'];

/**
 * Who the app acts as (GET /auth/me). With auth off (local single-user mode) this is the local user and nothing
 * changes; with auth on and no valid session, the sign-in form replaces the page, and any 401 brings it back.
 */
function useSession() {
  const [me, setMe] = useState<Me | null>(null);
  const [expired, setExpired] = useState(false);
  const refresh = useCallback(() => {
    api('me')
      .then(setMe)
      .catch(() => setMe({ authEnabled: false, user: null, via: null }));
  }, []);
  useEffect(() => {
    refresh();
    const onUnauthorized = () => {
      setMe((m) => {
        if (m?.authEnabled && m.user) setExpired(true);
        return m?.authEnabled ? { ...m, user: null, via: null } : m;
      });
    };
    window.addEventListener(UNAUTHORIZED_EVENT, onUnauthorized);
    return () => window.removeEventListener(UNAUTHORIZED_EVENT, onUnauthorized);
  }, [refresh]);
  const signOut = useCallback(() => {
    api('logout')
      .catch(() => undefined)
      .then(() => {
        setExpired(false);
        setMe((m) => (m ? { ...m, user: null, via: null } : m));
      });
  }, []);
  const signedIn = useCallback(() => {
    setExpired(false);
    refresh();
  }, [refresh]);
  return { me, expired, signOut, signedIn };
}

function UserMenu({ me, onSignOut }: { me: Me; onSignOut: () => void }) {
  if (!me.authEnabled || !me.user) return null;
  return (
    <span className="user-menu" data-testid="user-menu" style={{ marginLeft: '1rem' }}>
      <span data-testid="user-name">{me.user.username}</span>{' '}
      <span className="muted" data-testid="user-role">
        ({me.user.role})
      </span>{' '}
      <button type="button" onClick={onSignOut} data-testid="sign-out">
        Sign out
      </button>
    </span>
  );
}

export function App() {
  const route = useRoute();
  const { me, expired, signOut, signedIn } = useSession();
  const active = `/${route.segments[0] ?? ''}`;
  // Until /auth/me answers the page renders as in local mode, so its code and data load in parallel (no added
  // round trip); with auth on and no session its calls get 401s and the form replaces it.
  if (me?.authEnabled && !me.user) {
    return (
      <div className="app">
        <LoginPage onSignedIn={signedIn} expired={expired} oidc={me.oidc ?? null} />
      </div>
    );
  }
  return (
    <div className="app" data-role={me?.user?.role ?? 'admin'}>
      {me?.user?.role === 'viewer' && <style>{`${VIEWER_HIDDEN} { display: none !important; }`}</style>}
      <header className="top">
        <Link to="/" className="brand">
          Watchkeeper
        </Link>
        <nav>
          {NAV.map(([to, label]) => (
            <Link
              key={to}
              to={to}
              className={active === to || (to === '/vessel' && active === '/vessel') ? 'active' : ''}
            >
              {label}
            </Link>
          ))}
        </nav>
        <a className="docs" href="/docs" target="_blank" rel="noreferrer">
          API docs
        </a>
        {me && <UserMenu me={me} onSignOut={signOut} />}
      </header>
      <main>
        <Boundary resetKey={route.path + window.location.search}>
          <Suspense fallback={<Loading what="the page" />}>{page(route)}</Suspense>
        </Boundary>
      </main>
    </div>
  );
}
