// Results of a run: per target an accuracy-vs-size chart with the Pareto front (latency on
// hover), a sortable candidate table with rejection reasons, a side-by-side comparison of two
// candidates, downloads, and publishing a candidate to a channel.
import { useCallback, useMemo, useState, type FormEvent } from 'react';
import { useMutation, useQuery } from 'urql';
import { PlotFigure } from '../components/PlotFigure.tsx';
import { QueryState, UserErrors } from '../components/Status.tsx';
import { formatBytes, formatMs, formatPercent, sameOriginPath } from '../format.ts';
import { graphql } from '../gql/index.ts';
import type { RunResultsQuery } from '../gql/graphql.ts';
import { canChange } from '../session.ts';
import { useSession } from '../session-context.ts';

const ResultsQuery = graphql(`
  query RunResults($id: ID!) {
    node(id: $id) {
      ... on CompressionRun {
        id
        candidates(first: 50) {
          edges { node {
            id key status pareto quantization notes
            techniqueChain { plugin }
            targetFit { target fits failures { rule message } }
            metrics { accuracy bytes compressionRatio estimatedLatencyMs hostLatencyMs parameterCount speedup }
            failure { stage message }
            downloads { tflite tfjs }
            fieldStats { overall { reports latencyP50Ms latencyP90Ms } }
          } }
        }
      }
    }
  }
`);
const Publish = graphql(`
  mutation PublishCandidate($input: PublishCandidateInput!) {
    publishCandidate(input: $input) { deployment { id channel } userErrors { message } }
  }
`);

type Candidate = Extract<NonNullable<RunResultsQuery['node']>, { __typename: 'CompressionRun' }>['candidates']['edges'][number]['node'];
type SortKey = 'key' | 'accuracy' | 'bytes' | 'latency' | 'ratio';

const latency = (c: Candidate) => c.metrics.hostLatencyMs ?? c.metrics.estimatedLatencyMs ?? null;
const SORTERS: Record<SortKey, (c: Candidate) => number | string | null> = {
  key: (c) => c.key,
  accuracy: (c) => c.metrics.accuracy ?? null,
  bytes: (c) => c.metrics.bytes ?? null,
  latency,
  ratio: (c) => c.metrics.compressionRatio ?? null,
};

export function RunResults({ runId, projectId }: { runId: string; projectId: string }) {
  const [{ data, fetching, error }] = useQuery({ query: ResultsQuery, variables: { id: runId } });
  const run = data?.node?.__typename === 'CompressionRun' ? data.node : null;
  const candidates = useMemo(() => run?.candidates.edges.map((e) => e.node) ?? [], [run]);
  const targets = [...new Set(candidates.map((c) => c.targetFit.target))];
  const [compare, setCompare] = useState<string[]>([]);
  const toggle = (id: string) => setCompare((current) => (current.includes(id) ? current.filter((x) => x !== id) : [...current, id].slice(-2)));
  return (
    <section aria-labelledby="results">
      <h2 id="results">Results</h2>
      <QueryState fetching={fetching && !data} error={error} />
      {targets.map((target) => (
        <TargetResults key={target} target={target} candidates={candidates.filter((c) => c.targetFit.target === target)} compare={compare} onToggle={toggle} projectId={projectId} />
      ))}
      {compare.length === 2 && <Comparison a={candidates.find((c) => c.id === compare[0])!} b={candidates.find((c) => c.id === compare[1])!} />}
    </section>
  );
}

function TargetResults({ target, candidates, compare, onToggle, projectId }: { target: string; candidates: Candidate[]; compare: string[]; onToggle: (id: string) => void; projectId: string }) {
  const session = useSession();
  const [sort, setSort] = useState<{ key: SortKey; descending: boolean }>({ key: 'accuracy', descending: true });
  const sorted = useMemo(() => {
    const get = SORTERS[sort.key];
    return [...candidates].sort((x, y) => {
      const a = get(x);
      const b = get(y);
      if (a === b) return 0;
      if (a === null) return 1;
      if (b === null) return -1;
      return (a < b ? -1 : 1) * (sort.descending ? -1 : 1);
    });
  }, [candidates, sort]);
  const points = useMemo(() => candidates.filter((c) => c.metrics.accuracy != null && c.metrics.bytes != null).map((c) => ({
    key: c.key, accuracy: c.metrics.accuracy!, bytes: c.metrics.bytes!, latency: latency(c), pareto: c.pareto, fits: c.targetFit.fits !== false,
  })), [candidates]);
  const render = useCallback((Plot: typeof import('@observablehq/plot')) => {
    const front = points.filter((p) => p.pareto).sort((a, b) => a.bytes - b.bytes);
    return Plot.plot({
      width: 560, height: 300, marginLeft: 50, grid: true, style: { background: 'transparent', color: 'currentColor' },
      x: { type: 'log', label: 'size (bytes) →' },
      y: { label: '↑ accuracy', tickFormat: '.0%' },
      symbol: { legend: true, domain: ['Pareto front', 'other'] },
      marks: [
        Plot.line(front, { x: 'bytes', y: 'accuracy', stroke: '#2f9e44', strokeWidth: 1.5, curve: 'step-after' }),
        Plot.dot(points, {
          x: 'bytes', y: 'accuracy', r: 5, symbol: (p: (typeof points)[number]) => (p.pareto ? 'Pareto front' : 'other'),
          fill: (p: (typeof points)[number]) => (p.pareto ? '#2f9e44' : p.fits ? '#868e96' : '#e03131'),
          channels: { candidate: 'key', latency: (p: (typeof points)[number]) => formatMs(p.latency) },
          tip: { format: { x: (v: number) => formatBytes(v), y: (v: number) => formatPercent(v), symbol: false, fill: false } },
        }),
      ],
    });
  }, [points]);
  const header = (key: SortKey, label: string) => (
    <th scope="col" aria-sort={sort.key === key ? (sort.descending ? 'descending' : 'ascending') : 'none'}>
      <button type="button" className="sort" onClick={() => setSort({ key, descending: sort.key === key ? !sort.descending : key !== 'key' && key !== 'bytes' && key !== 'latency' })}>{label}{sort.key === key ? (sort.descending ? ' ▼' : ' ▲') : ''}</button>
    </th>
  );
  return (
    <div className="card target-results">
      <h3>{target}</h3>
      {points.length > 0 && <PlotFigure render={render} label={`Accuracy against size for ${target}; Pareto front candidates: ${points.filter((p) => p.pareto).map((p) => p.key).join(', ') || 'none'}`} />}
      <div className="scroll">
        <table>
          <caption className="visually-hidden">Candidates for {target}</caption>
          <thead>
            <tr>
              <th scope="col">Compare</th>
              {header('key', 'Candidate')}
              {header('accuracy', 'Accuracy')}
              {header('bytes', 'Size')}
              {header('latency', 'Latency')}
              {header('ratio', 'Smaller by')}
              <th scope="col">Fit</th>
              <th scope="col">Downloads</th>
              {canChange(session.role) && <th scope="col">Publish</th>}
            </tr>
          </thead>
          <tbody>
            {sorted.map((c) => (
              <tr key={c.id} className={c.pareto ? 'pareto' : undefined}>
                <td><input type="checkbox" aria-label={`Compare ${c.key}`} checked={compare.includes(c.id)} onChange={() => onToggle(c.id)} /></td>
                <td>{c.key}{c.pareto && <span className="badge">Pareto</span>}<div className="muted">{c.techniqueChain.map((t) => t.plugin).join(' → ')}</div></td>
                <td>{formatPercent(c.metrics.accuracy)}</td>
                <td>{formatBytes(c.metrics.bytes)}</td>
                <td>{formatMs(latency(c))}{c.fieldStats && <div className="muted">on devices: {formatMs(c.fieldStats.overall.latencyP50Ms)} p50 ({c.fieldStats.overall.reports.toLocaleString()} reports)</div>}</td>
                <td>{c.metrics.compressionRatio ? `${c.metrics.compressionRatio.toFixed(1)}×` : '—'}</td>
                <td>{c.status === 'FAILED' ? <span className="error">failed at {c.failure?.stage}: {c.failure?.message}</span>
                  : c.targetFit.fits === false ? <ul className="reasons">{c.targetFit.failures.map((f) => <li key={f.rule}><code>{f.rule}</code> {f.message}</li>)}</ul>
                  : 'fits'}</td>
                <td>
                  {c.downloads.tflite && <a href={sameOriginPath(c.downloads.tflite)} download>.tflite</a>}{' '}
                  {c.downloads.tfjs && <a href={sameOriginPath(c.downloads.tfjs)} download>TF.js</a>}
                </td>
                {canChange(session.role) && <td>{c.status === 'SUCCEEDED' && <PublishForm candidate={c} projectId={projectId} />}</td>}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}

function PublishForm({ candidate, projectId }: { candidate: Candidate; projectId: string }) {
  const [channel, setChannel] = useState('production');
  const [result, publish] = useMutation(Publish);
  async function submit(e: FormEvent) {
    e.preventDefault();
    await publish({ input: { candidateId: candidate.id, channel } });
  }
  const published = result.data?.publishCandidate.deployment;
  return (
    <form onSubmit={submit} className="publish" aria-label={`Publish ${candidate.key}`}>
      <input aria-label={`Channel for ${candidate.key}`} value={channel} onChange={(e) => setChannel(e.target.value)} size={10} required />
      <button type="submit" disabled={result.fetching}>Publish</button>
      {published && <span role="status"> live on {published.channel} (<a href={`/projects/${projectId}#channels`}>channels</a>)</span>}
      <UserErrors errors={result.data?.publishCandidate.userErrors} />
    </form>
  );
}

function Comparison({ a, b }: { a: Candidate; b: Candidate }) {
  const rows: [string, (c: Candidate) => string][] = [
    ['Target', (c) => c.targetFit.target],
    ['Techniques', (c) => c.techniqueChain.map((t) => t.plugin).join(' → ')],
    ['Quantization', (c) => c.quantization ?? '—'],
    ['Accuracy', (c) => formatPercent(c.metrics.accuracy)],
    ['Size', (c) => formatBytes(c.metrics.bytes)],
    ['Parameters', (c) => c.metrics.parameterCount?.toLocaleString() ?? '—'],
    ['Host latency', (c) => formatMs(c.metrics.hostLatencyMs)],
    ['Estimated latency on target', (c) => formatMs(c.metrics.estimatedLatencyMs)],
    ['Measured on devices (p50 / p90)', (c) => (c.fieldStats ? `${formatMs(c.fieldStats.overall.latencyP50Ms)} / ${formatMs(c.fieldStats.overall.latencyP90Ms)} (${c.fieldStats.overall.reports.toLocaleString()} reports)` : 'no reports yet')],
    ['Speed-up', (c) => (c.metrics.speedup ? `${c.metrics.speedup.toFixed(2)}×` : '—')],
    ['Pareto front', (c) => (c.pareto ? 'yes' : 'no')],
    ['Fits target', (c) => (c.targetFit.fits === false ? c.targetFit.failures.map((f) => f.rule).join(', ') : 'yes')],
    ['Notes', (c) => c.notes.join('; ')],
  ];
  return (
    <div className="card" aria-labelledby="compare">
      <h3 id="compare">Comparison</h3>
      <div className="scroll" tabIndex={0} role="region" aria-label="Comparison table (scrolls sideways)">
        <table>
          <thead><tr><th scope="col">Measure</th><th scope="col">{a.key}</th><th scope="col">{b.key}</th></tr></thead>
          <tbody>{rows.map(([label, get]) => <tr key={label}><th scope="row">{label}</th><td>{get(a)}</td><td>{get(b)}</td></tr>)}</tbody>
        </table>
      </div>
    </div>
  );
}
