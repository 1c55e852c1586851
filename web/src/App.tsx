import { Component, type ReactNode } from 'react';
import { CasePage, CasesPage } from './pages/Cases.js';
import { CryptoPage } from './pages/Crypto.js';
import { EntityPage } from './pages/Entity.js';
import { FindingPage } from './pages/Finding.js';
import { MapPage } from './pages/MapPage.js';
import { NetworkPage } from './pages/Network.js';
import { OverviewPage } from './pages/Overview.js';
import { SearchPage } from './pages/Search.js';
import { VesselPage } from './pages/Vessel.js';
import { WatchPage } from './pages/Watch.js';
import { Link, type Route, useRoute } from './router.js';

const NAV: Array<[string, string]> = [
  ['/', 'Overview'],
  ['/map', 'Map'],
  ['/search', 'Search'],
  ['/network', 'Network'],
  ['/crypto', 'Crypto trace'],
  ['/case', 'Cases'],
  ['/watch', 'Watchlist & alerts'],
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

export function App() {
  const route = useRoute();
  const active = `/${route.segments[0] ?? ''}`;
  return (
    <div className="app">
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
      </header>
      <main>
        <Boundary resetKey={route.path + window.location.search}>{page(route)}</Boundary>
      </main>
    </div>
  );
}
