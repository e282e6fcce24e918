// Project: models and versions, datasets, runs, channels (deploy history, rollback), app keys, upload.
import { useState, type FormEvent } from 'react';
import { useMutation, useQuery } from 'urql';
import { Link } from 'wouter';
import { NotFound } from '../components/NotFound.tsx';
import { QueryState, UserErrors } from '../components/Status.tsx';
import { formatBytes, formatDate } from '../format.ts';
import { graphql } from '../gql/index.ts';
import { canAdminister, canChange } from '../session.ts';
import { useSession } from '../session-context.ts';
import { UploadPanel } from './UploadPanel.tsx';
import { DeployPanel } from './DeployPanel.tsx';

const ProjectQuery = graphql(`
  query Project($id: ID!, $admin: Boolean!) {
    node(id: $id) {
      ... on Project {
        id name description
        models(first: 8) {
          edges { node { id name versions(first: 3) { edges { node {
            id version format parameterCount bytes createdAt
            signature { inputs { name dtype shape } outputs { name dtype shape } }
          } } } } }
        }
        datasets(first: 15) { edges { node { id name format kind sampleCount inputShape labels splits { split count } createdAt } } }
        runs(first: 15) { edges { node { id status phase targets createdAt finishedAt modelVersion { version model { name } } dataset { name } } } }
        appKeys(first: 20) @include(if: $admin) { edges { node { id name prefix createdAt lastUsedAt revokedAt } } }
      }
    }
  }
`);
const CreateAppKey = graphql(`
  mutation CreateAppKey($input: CreateAppKeyInput!) { createAppKey(input: $input) { secret appKey { id } userErrors { message } } }
`);
const RevokeAppKey = graphql(`
  mutation RevokeAppKey($input: RevokeAppKeyInput!) { revokeAppKey(input: $input) { appKey { id revokedAt } userErrors { message } } }
`);

export default function ProjectPage({ projectId }: { projectId: string }) {
  const session = useSession();
  const writer = canChange(session.role);
  // App keys are listed, created and revoked by admins and owners only (the API's rule).
  const keyManager = canAdminister(session.role);
  const [{ data, fetching, error }, refetch] = useQuery({ query: ProjectQuery, variables: { id: projectId, admin: keyManager } });
  const refresh = () => refetch({ requestPolicy: 'network-only' });
  if (data && data.node?.__typename !== 'Project') return <NotFound what="project" />;
  const project = data?.node?.__typename === 'Project' ? data.node : null;
  return (
    <>
      <nav aria-label="Breadcrumb" className="crumbs"><Link href="/">Organization</Link> › <span aria-current="page">{project?.name ?? 'Project'}</span></nav>
      <h1>{project?.name ?? 'Project'}</h1>
      <QueryState fetching={fetching && !data} error={error} />
      {project && (
        <div className="grid">
          <section aria-labelledby="runs" className="card wide">
            <h2 id="runs">Runs</h2>
            {writer && <p><Link href={`/projects/${project.id}/runs/new`} className="button">New run</Link></p>}
            {project.runs.edges.length === 0 ? <p>No runs yet.</p> : (
              <div className="scroll">
                <table>
                  <thead><tr><th scope="col">Run</th><th scope="col">Model</th><th scope="col">Dataset</th><th scope="col">Targets</th><th scope="col">Status</th><th scope="col">Started</th></tr></thead>
                  <tbody>
                    {project.runs.edges.map(({ node: r }) => (
                      <tr key={r.id}>
                        <td><Link href={`/runs/${r.id}`}>{r.id.slice(-8)}</Link></td>
                        <td>{r.modelVersion.model.name} v{r.modelVersion.version}</td>
                        <td>{r.dataset.name}</td>
                        <td>{r.targets.join(', ')}</td>
                        <td><span className={`status ${r.status.toLowerCase()}`}>{r.status.toLowerCase()}</span>{r.phase && r.status === 'RUNNING' ? ` · ${r.phase}` : ''}</td>
                        <td>{formatDate(r.createdAt)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </section>
          {writer && (
            <section aria-labelledby="upload" className="card">
              <h2 id="upload">Upload</h2>
              <UploadPanel projectId={project.id} onDone={refresh} />
            </section>
          )}
          <section aria-labelledby="models" className="card">
            <h2 id="models">Models</h2>
            {project.models.edges.length === 0 ? <p>No models yet.</p> : project.models.edges.map(({ node: m }) => (
              <details key={m.id} open>
                <summary>{m.name} <span className="muted">({m.versions.edges.length} versions)</span></summary>
                <ul className="list">
                  {m.versions.edges.map(({ node: v }) => (
                    <li key={v.id}>
                      v{v.version} · {v.format} · {v.parameterCount.toLocaleString()} parameters · {formatBytes(v.bytes)}
                      <div className="muted">in {v.signature.inputs.map((t) => `${t.dtype}[${t.shape.map((d) => d ?? '?').join('×')}]`).join(', ')} → out {v.signature.outputs.map((t) => `${t.dtype}[${t.shape.map((d) => d ?? '?').join('×')}]`).join(', ')}</div>
                    </li>
                  ))}
                </ul>
              </details>
            ))}
          </section>
          <section aria-labelledby="datasets" className="card">
            <h2 id="datasets">Datasets</h2>
            {project.datasets.edges.length === 0 ? <p>No datasets yet.</p> : (
              <ul className="list">
                {project.datasets.edges.map(({ node: d }) => (
                  <li key={d.id}>
                    {d.name} · {d.format} {d.kind} · {d.sampleCount.toLocaleString()} samples
                    <div className="muted">splits {d.splits.map((s) => `${s.split} ${s.count}`).join(', ')} · {d.labels.length} labels{d.labels.length <= 12 ? `: ${d.labels.join(', ')}` : ''}</div>
                  </li>
                ))}
              </ul>
            )}
          </section>
          <section aria-labelledby="channels" className="card wide">
            <h2 id="channels">Channels</h2>
            <DeployPanel projectId={project.id} />
          </section>
          {keyManager && project.appKeys && (
            <section aria-labelledby="app-keys" className="card">
              <h2 id="app-keys">App keys</h2>
              <AppKeys projectId={project.id} keys={project.appKeys.edges.map((e) => e.node)} writer={writer} onChanged={refresh} />
            </section>
          )}
        </div>
      )}
    </>
  );
}

interface AppKeyRow { id: string; name: string; prefix: string; createdAt: string; lastUsedAt?: string | null; revokedAt?: string | null }

function AppKeys({ projectId, keys, writer, onChanged }: { projectId: string; keys: AppKeyRow[]; writer: boolean; onChanged: () => void }) {
  const [name, setName] = useState('');
  const [secret, setSecret] = useState<string | null>(null);
  const [created, create] = useMutation(CreateAppKey);
  const [, revoke] = useMutation(RevokeAppKey);
  async function submit(e: FormEvent) {
    e.preventDefault();
    const r = await create({ input: { projectId, name } });
    if (r.data?.createAppKey.secret) {
      setSecret(r.data.createAppKey.secret);
      setName('');
      onChanged();
    }
  }
  return (
    <>
      {keys.length === 0 ? <p>No app keys yet.</p> : (
        <ul className="list">
          {keys.map((k) => (
            <li key={k.id}>
              {k.name} <code>{k.prefix}…</code> <span className="muted">last used {formatDate(k.lastUsedAt)}</span>{' '}
              {k.revokedAt ? <span className="muted">revoked</span> : writer && <button type="button" className="danger" onClick={async () => { await revoke({ input: { appKeyId: k.id } }); onChanged(); }}>Revoke</button>}
            </li>
          ))}
        </ul>
      )}
      {writer && (
        <form onSubmit={submit} className="inline-form" aria-label="New app key">
          <label>App key name <input value={name} onChange={(e) => setName(e.target.value)} required /></label>
          <button type="submit" disabled={created.fetching}>Create app key</button>
          <UserErrors errors={created.data?.createAppKey.userErrors} />
          {secret && <p className="notice" role="status">New app key (shown once): <code className="secret">{secret}</code></p>}
        </form>
      )}
    </>
  );
}

