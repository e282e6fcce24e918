// A run: live progress while it runs (over the runEvents subscription, resumed from the last
// cursor after a reload), cancel and retry, then the results once it has candidates.
import { useCallback, useEffect, useMemo, useState } from 'react';
import { useMutation, useQuery, useSubscription } from 'urql';
import { Link, useLocation } from 'wouter';
import { NotFound } from '../components/NotFound.tsx';
import { PlotFigure } from '../components/PlotFigure.tsx';
import { ProgressBar } from '../components/Progress.tsx';
import { QueryState, UserErrors } from '../components/Status.tsx';
import { formatDate, formatEta } from '../format.ts';
import { graphql } from '../gql/index.ts';
import { applyEvent, loadLiveState, saveLiveState, type CandidateProgress, type LiveState } from '../run-events.ts';
import { canChange } from '../session.ts';
import { useSession } from '../session-context.ts';
import { RunResults } from './RunResults.tsx';

const RunQuery = graphql(`
  query Run($id: ID!) {
    node(id: $id) {
      ... on CompressionRun {
        id status phase message targets autoTechniques cancelRequested createdAt startedAt finishedAt budgetSeconds budgetIsDefault
        project { id name }
        modelVersion { version parameterCount model { name } }
        dataset { name }
        techniques { plugin }
        constraints { maxBytes minAccuracy maxAccuracyDrop maxLatencyMs }
        retryOf { id }
      }
    }
  }
`);
const RunEvents = graphql(`
  subscription RunEvents($runId: ID!, $after: String) {
    runEvents(runId: $runId, after: $after) {
      cursor type phase candidateKey epoch step loss etaSeconds samplesPerSecond metrics data message
    }
  }
`);
const CancelRun = graphql(`
  mutation CancelRun($input: RunIdInput!) { cancelRun(input: $input) { run { id status cancelRequested } userErrors { message } } }
`);
const RetryRun = graphql(`
  mutation RetryRun($input: RunIdInput!) { retryRun(input: $input) { run { id } userErrors { message } } }
`);

const ACTIVE = new Set(['QUEUED', 'RUNNING']);

export default function RunPage({ runId }: { runId: string }) {
  const session = useSession();
  const writer = canChange(session.role);
  const [{ data, fetching, error }, refetch] = useQuery({ query: RunQuery, variables: { id: runId } });
  const [, navigate] = useLocation();
  const [cancel, runCancel] = useMutation(CancelRun);
  const [retry, runRetry] = useMutation(RetryRun);
  const run = data?.node?.__typename === 'CompressionRun' ? data.node : null;

  // The cursor to resume after is read once per page load; later events advance the stored state.
  const [resume] = useState(() => loadLiveState(runId));
  const [live, setLive] = useState<LiveState>(resume);
  const handle = useCallback((previous: LiveState | undefined, response: { runEvents: Parameters<typeof applyEvent>[1] }) => {
    const next = applyEvent(previous ?? resume, response.runEvents);
    return next;
  }, [resume]);
  const following = run ? ACTIVE.has(run.status) || resume.ended === null : false;
  const [subscription] = useSubscription({ query: RunEvents, variables: { runId, after: resume.cursor }, pause: !following }, handle);
  useEffect(() => {
    if (!subscription.data) return;
    setLive(subscription.data);
    saveLiveState(runId, subscription.data);
  }, [runId, subscription.data]);
  const ended = live.ended;
  useEffect(() => {
    if (ended) refetch({ requestPolicy: 'network-only' });
  }, [ended, refetch]);

  if (data && !run) return <NotFound what="run" />;
  const active = run ? ACTIVE.has(run.status) && !ended : false;
  return (
    <>
      <nav aria-label="Breadcrumb" className="crumbs"><Link href="/">Organization</Link> › {run && <Link href={`/projects/${run.project.id}`}>{run.project.name}</Link>} › <span aria-current="page">Run {runId.slice(-8)}</span></nav>
      <h1>Run {runId.slice(-8)}</h1>
      <QueryState fetching={fetching && !data} error={error} />
      {run && (
        <>
          <section className="card" aria-labelledby="summary">
            <h2 id="summary">Summary</h2>
            <dl className="facts">
              <dt>Status</dt><dd><span className={`status ${run.status.toLowerCase()}`} data-testid="run-status">{run.status.toLowerCase()}</span>{run.cancelRequested && run.status === 'RUNNING' ? ' (cancelling)' : ''}</dd>
              <dt>Phase</dt><dd>{live.phase ?? run.phase ?? '—'}</dd>
              <dt>Model</dt><dd>{run.modelVersion.model.name} v{run.modelVersion.version}</dd>
              <dt>Dataset</dt><dd>{run.dataset.name}</dd>
              <dt>Targets</dt><dd>{run.targets.join(', ')}</dd>
              <dt>Techniques</dt><dd>{run.autoTechniques ? 'automatic' : run.techniques.map((t) => t.plugin).join(', ')}</dd>
              <dt>Time budget</dt><dd>{run.budgetSeconds} s of training{run.budgetIsDefault ? ' (default)' : ''}</dd>
              <dt>Started</dt><dd>{formatDate(run.startedAt ?? run.createdAt)}</dd>
              {run.finishedAt && <><dt>Finished</dt><dd>{formatDate(run.finishedAt)}</dd></>}
              {run.message && <><dt>Message</dt><dd>{run.message}</dd></>}
            </dl>
            {writer && (
              <div className="actions">
                {active && <button type="button" className="danger" disabled={cancel.fetching || run.cancelRequested} onClick={() => runCancel({ input: { runId } })}>Cancel run</button>}
                {!active && run.status !== 'SUCCEEDED' && (
                  <button type="button" disabled={retry.fetching} onClick={async () => { const r = await runRetry({ input: { runId } }); const id = r.data?.retryRun.run?.id; if (id) navigate(`/runs/${id}`); }}>Retry run</button>
                )}
              </div>
            )}
            <UserErrors errors={cancel.data?.cancelRun.userErrors ?? retry.data?.retryRun.userErrors} />
          </section>
          {(active || live.candidates.length > 0) && (
            <section className="card" aria-labelledby="progress">
              <h2 id="progress">Progress</h2>
              {subscription.error && <p role="alert" className="error">{subscription.error.message}</p>}
              <p role="status" aria-live="polite">{active ? `Running: ${live.candidates.filter((c) => c.state !== 'running').length} of ${live.candidates.length} candidates finished` : 'Run ended'}</p>
              <ul className="candidates">
                {live.candidates.map((c) => <CandidateRow key={c.key} candidate={c} />)}
              </ul>
            </section>
          )}
          {run.status === 'SUCCEEDED' && <RunResults runId={runId} projectId={run.project.id} />}
        </>
      )}
    </>
  );
}

function CandidateRow({ candidate: c }: { candidate: CandidateProgress }) {
  const curves = useMemo(() => [
    ...c.loss.map(([x, y]) => ({ x, y, series: 'loss' })),
    ...c.accuracy.map(([x, y]) => ({ x, y, series: 'accuracy' })),
  ], [c.loss, c.accuracy]);
  const render = useCallback((Plot: typeof import('@observablehq/plot')) => Plot.plot({
    height: 90, width: 260, marginLeft: 36, style: { background: 'transparent', color: 'currentColor' },
    x: { domain: [0, 1], label: null, tickFormat: '%' }, y: { label: null, ticks: 3 },
    color: { domain: ['loss', 'accuracy'], range: ['#d9480f', '#1971c2'] },
    marks: [Plot.line(curves, { x: 'x', y: 'y', stroke: 'series' })],
  }), [curves]);
  return (
    <li className={`candidate ${c.state}`}>
      <div className="candidate-head">
        <strong>{c.key}</strong> <span className="muted">{c.plugin ?? ''} {c.state === 'running' ? formatEta(c.etaSeconds) : c.state}{c.message ? `: ${c.message}` : ''}</span>
      </div>
      <ProgressBar value={c.fraction} label={`Progress of ${c.key}`} />
      {curves.length > 1 && <PlotFigure render={render} label={`Loss${c.accuracy.length ? ' and accuracy' : ''} of ${c.key} over training`} />}
    </li>
  );
}
