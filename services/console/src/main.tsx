// Entry point: restores the session (GET /session), then shows sign-in or the console's routes.
// Pages other than sign-in and the organization load on demand, keeping the first page small.
import { StrictMode, Suspense, lazy, useCallback, useEffect, useMemo, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { Provider } from 'urql';
import { Route, Switch } from 'wouter';
import { createApiClient } from './client.ts';
import { Layout } from './components/Layout.tsx';
import { NotFound } from './components/NotFound.tsx';
import { OrgPage } from './pages/OrgPage.tsx';
import { SignInPage } from './pages/SignInPage.tsx';
import { loadSession, signOut, type Session } from './session.ts';
import { SessionContext } from './session-context.ts';
import './styles.css';

const ProjectPage = lazy(() => import('./pages/ProjectPage.tsx'));
const NewRunPage = lazy(() => import('./pages/NewRunPage.tsx'));
const RunPage = lazy(() => import('./pages/RunPage.tsx'));

function App() {
  const [session, setSession] = useState<Session | null | undefined>(undefined);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    loadSession().then(setSession, (e: Error) => setError(e.message));
  }, []);
  const ended = useCallback(() => setSession(null), []);
  const client = useMemo(() => (session ? createApiClient(session, ended) : null), [session, ended]);

  if (error) return <main className="centered"><p role="alert">Could not reach the server: {error}</p></main>;
  if (session === undefined) return <main className="centered" aria-busy="true"><p>Loading…</p></main>;
  if (!session || !client) return <SignInPage onSignedIn={setSession} />;
  return (
    <SessionContext.Provider value={session}>
      <Provider value={client}>
        <Layout onSignOut={async () => { await signOut(session); setSession(null); }}>
          <Suspense fallback={<p aria-busy="true">Loading…</p>}>
            <Switch>
              <Route path="/"><OrgPage /></Route>
              <Route path="/projects/:projectId/runs/new">{(p) => <NewRunPage projectId={p.projectId} />}</Route>
              <Route path="/projects/:projectId">{(p) => <ProjectPage projectId={p.projectId} />}</Route>
              <Route path="/runs/:runId">{(p) => <RunPage runId={p.runId} />}</Route>
              <Route><NotFound what="page" /></Route>
            </Switch>
          </Suspense>
        </Layout>
      </Provider>
    </SessionContext.Provider>
  );
}

createRoot(document.getElementById('root')!).render(<StrictMode><App /></StrictMode>);
