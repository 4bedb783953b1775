import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState, useSyncExternalStore } from 'react';
import { Link, Redirect, Route, Switch, useLocation } from 'wouter';
import { request } from './api/client';
import { MeQuery } from './api/operations';
import { currentToken, onSessionChange, refresh, signOut } from './api/session';
import { Loading } from './components/ui';
import { AcceptInvitePage, SignInPage, SignUpPage } from './pages/Auth';
import { CandidatePage } from './pages/Candidate';
import { CandidatesPage } from './pages/Candidates';
import { InsightsPage } from './pages/Insights';
import { RepliesPage } from './pages/Replies';
import { SettingsPage } from './pages/Settings';
import { TodayPage } from './pages/Today';
import { MeContext } from './me';

function useSignedIn(): boolean {
  return useSyncExternalStore(onSessionChange, () => currentToken() !== null);
}

export function App() {
  const signedIn = useSignedIn();
  const [restoring, setRestoring] = useState(true);
  useEffect(() => {
    // A reload keeps the session: the refresh cookie gives a new access token.
    void refresh()
      .catch(() => null)
      .finally(() => setRestoring(false));
  }, []);
  if (restoring) return <Loading what="your session" />;
  if (!signedIn) {
    return (
      <Switch>
        <Route path="/sign-up" component={SignUpPage} />
        <Route path="/accept-invite" component={AcceptInvitePage} />
        <Route path="/sign-in" component={SignInPage} />
        <Route>
          <Redirect to="/sign-in" />
        </Route>
      </Switch>
    );
  }
  return <Shell />;
}

function Shell() {
  const me = useQuery({ queryKey: ['me'], queryFn: () => request(MeQuery), staleTime: 300_000 });
  const queryClient = useQueryClient();
  const [location, navigate] = useLocation();
  if (me.isPending) return <Loading what="your firm" />;
  if (!me.data) return <p role="alert">Could not load your account. Reload the page.</p>;
  const isAdmin = me.data.me.user?.role === 'admin';
  const nav = [
    { href: '/today', label: 'Today' },
    { href: '/replies', label: 'Replies' },
    { href: '/candidates', label: 'Candidates' },
    ...(me.data.me.scopes.includes('analytics:read') ? [{ href: '/insights', label: 'Insights' }] : []),
    ...(isAdmin ? [{ href: '/settings', label: 'Settings' }] : []),
  ];
  return (
    <MeContext.Provider value={me.data.me}>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <span className="brand">Touchpoint</span>
        <nav aria-label="Main">
          <ul>
            {nav.map((n) => (
              <li key={n.href}>
                <Link href={n.href} aria-current={location === n.href || location.startsWith(`${n.href}/`) ? 'page' : undefined}>
                  {n.label}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        <div className="account">
          <span className="who">
            {me.data.me.user?.name} · {me.data.me.tenant.name}
          </span>
          <button
            type="button"
            className="link-button"
            onClick={async () => {
              await signOut();
              queryClient.clear();
              navigate('/sign-in');
            }}
          >
            Sign out
          </button>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        <Switch>
          <Route path="/today" component={TodayPage} />
          <Route path="/replies">{() => <RepliesPage />}</Route>
          <Route path="/replies/:type/:id">{(p) => (p.type === 'candidate' || p.type === 'contact' ? <RepliesPage selected={{ type: p.type, id: p.id }} /> : <Redirect to="/replies" />)}</Route>
          <Route path="/candidates" component={CandidatesPage} />
          <Route path="/candidates/:id">{(p) => <CandidatePage id={p.id} />}</Route>
          <Route path="/insights" component={InsightsPage} />
          <Route path="/settings">{isAdmin ? <SettingsPage /> : <Redirect to="/today" />}</Route>
          <Route>
            <Redirect to="/today" />
          </Route>
        </Switch>
      </main>
    </MeContext.Provider>
  );
}
