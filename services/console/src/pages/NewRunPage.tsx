// New run: model version and dataset, targets from the catalog (with their fit rules), techniques
// chosen automatically or per plugin with a form generated from the plugin's JSON Schema, and
// constraints.
import Form from '@rjsf/core';
import type { RJSFSchema } from '@rjsf/utils';
import validator from '@rjsf/validator-ajv8';
import { useEffect, useState, type FormEvent } from 'react';
import { useMutation, useQuery } from 'urql';
import { Link, useLocation } from 'wouter';
import { NotFound } from '../components/NotFound.tsx';
import { QueryState, UserErrors } from '../components/Status.tsx';
import { formatBytes } from '../format.ts';
import { graphql } from '../gql/index.ts';

const NewRunQuery = graphql(`
  query NewRun($id: ID!) {
    node(id: $id) {
      ... on Project {
        id name
        models(first: 20) { edges { node { id name versions(first: 10) { edges { node { id version parameterCount } } } } } }
        datasets(first: 30) { edges { node { id name sampleCount } } }
      }
    }
    hardwareTargets { id targetId name description runtime format preferredQuantization maxFileBytes maxActivationBytes tensorTypes ops }
    plugins { id name version kind summary configSchema hardwareTargets }
  }
`);
const StartRun = graphql(`
  mutation StartRun($input: StartRunInput!) { startRun(input: $input) { run { id } userErrors { message field } } }
`);

const optionalNumber = (value: string): number | null => (value.trim() === '' ? null : Number(value));

export default function NewRunPage({ projectId }: { projectId: string }) {
  const [{ data, fetching, error }] = useQuery({ query: NewRunQuery, variables: { id: projectId } });
  const [, navigate] = useLocation();
  const [versionId, setVersionId] = useState('');
  const [datasetId, setDatasetId] = useState('');
  const [targets, setTargets] = useState<string[]>([]);
  const [auto, setAuto] = useState(true);
  const [chosen, setChosen] = useState<Record<string, Record<string, unknown>>>({});
  const [constraints, setConstraints] = useState({ maxBytes: '', minAccuracy: '', maxAccuracyDrop: '', maxLatencyMs: '' });
  const [budget, setBudget] = useState('');
  const [result, startRun] = useMutation(StartRun);

  // rjsf renders the option picker of an anyOf/oneOf field without a label: name it after its field.
  useEffect(() => {
    for (const select of document.querySelectorAll<HTMLSelectElement>('select[id$="__anyof_select"], select[id$="__oneof_select"]')) {
      if (!select.hasAttribute('aria-label')) select.setAttribute('aria-label', `Kind of ${select.id.replace(/^root_/, '').replace(/__(any|one)of_select$/, '')}`);
    }
  });

  if (data && data.node?.__typename !== 'Project') return <NotFound what="project" />;
  const project = data?.node?.__typename === 'Project' ? data.node : null;
  const versions = project?.models.edges.flatMap(({ node: m }) => m.versions.edges.map(({ node: v }) => ({ id: v.id, label: `${m.name} v${v.version} (${v.parameterCount.toLocaleString()} parameters)` }))) ?? [];
  const datasets = project?.datasets.edges.map((e) => e.node) ?? [];

  async function submit(e: FormEvent) {
    e.preventDefault();
    const r = await startRun({
      input: {
        modelVersionId: versionId || versions[0]!.id,
        datasetId: datasetId || datasets[0]!.id,
        targets,
        auto,
        techniques: auto ? null : Object.entries(chosen).map(([plugin, config]) => ({ plugin, config })),
        constraints: {
          maxBytes: optionalNumber(constraints.maxBytes),
          minAccuracy: optionalNumber(constraints.minAccuracy),
          maxAccuracyDrop: optionalNumber(constraints.maxAccuracyDrop),
          maxLatencyMs: optionalNumber(constraints.maxLatencyMs),
        },
        budgetSeconds: optionalNumber(budget),
        idempotencyKey: crypto.randomUUID(),
      },
    });
    const run = r.data?.startRun.run;
    if (run) navigate(`/runs/${run.id}`);
  }

  return (
    <>
      <nav aria-label="Breadcrumb" className="crumbs"><Link href="/">Organization</Link> › <Link href={`/projects/${projectId}`}>{project?.name ?? 'Project'}</Link> › <span aria-current="page">New run</span></nav>
      <h1>New run</h1>
      <QueryState fetching={fetching && !data} error={error} />
      {project && data && (versions.length === 0 || datasets.length === 0) && <p>Upload a model and a dataset to this project first.</p>}
      {project && data && versions.length > 0 && datasets.length > 0 && (
        <form onSubmit={submit} className="new-run">
          <section className="card" aria-labelledby="inputs">
            <h2 id="inputs">Model and data</h2>
            <label>Model version
              <select value={versionId} onChange={(e) => setVersionId(e.target.value)}>{versions.map((v) => <option key={v.id} value={v.id}>{v.label}</option>)}</select>
            </label>
            <label>Dataset
              <select value={datasetId} onChange={(e) => setDatasetId(e.target.value)}>{datasets.map((d) => <option key={d.id} value={d.id}>{d.name} ({d.sampleCount.toLocaleString()} samples)</option>)}</select>
            </label>
          </section>
          <fieldset className="card">
            <legend>Targets</legend>
            <div className="targets">
              {data.hardwareTargets.map((t) => (
                <label key={t.id} className="target">
                  <input type="checkbox" checked={targets.includes(t.targetId)} onChange={(e) => setTargets(e.target.checked ? [...targets, t.targetId] : targets.filter((x) => x !== t.targetId))} />
                  <span><strong>{t.name}</strong> <code>{t.targetId}</code><br />
                    <span className="muted">{t.description}</span><br />
                    <span className="muted">Fit rules: file ≤ {formatBytes(t.maxFileBytes)}, activations ≤ {formatBytes(t.maxActivationBytes)}, tensors {t.tensorTypes.join('/')}, {t.ops.length} ops, {t.runtime} ({t.preferredQuantization})</span>
                  </span>
                </label>
              ))}
            </div>
          </fieldset>
          <fieldset className="card">
            <legend>Techniques</legend>
            <label><input type="radio" name="auto" checked={auto} onChange={() => setAuto(true)} /> Automatic: the planner chooses per target</label>
            <label><input type="radio" name="auto" checked={!auto} onChange={() => setAuto(false)} /> Choose plugins and configure them</label>
            {!auto && data.plugins.map((p) => (
              <div key={p.id} className="plugin">
                <label>
                  <input type="checkbox" checked={p.name in chosen} onChange={(e) => {
                    const next = { ...chosen };
                    if (e.target.checked) next[p.name] = {};
                    else delete next[p.name];
                    setChosen(next);
                  }} />
                  <strong>{p.name}</strong> {p.version} <span className="muted">({p.kind}) {p.summary}</span>
                </label>
                {p.name in chosen && (
                  <Form
                    tagName="fieldset"
                    schema={p.configSchema as RJSFSchema}
                    validator={validator}
                    formData={chosen[p.name]}
                    onChange={(event) => setChosen((current) => ({ ...current, [p.name]: event.formData as Record<string, unknown> }))}
                    uiSchema={{ 'ui:submitButtonOptions': { norender: true }, 'ui:title': `${p.name} configuration` }}
                    liveValidate
                    showErrorList={false}
                  />
                )}
              </div>
            ))}
          </fieldset>
          <fieldset className="card">
            <legend>Constraints (optional)</legend>
            <label>Largest file, bytes <input inputMode="numeric" value={constraints.maxBytes} onChange={(e) => setConstraints({ ...constraints, maxBytes: e.target.value })} /></label>
            <label>Lowest accuracy (0–1) <input inputMode="decimal" value={constraints.minAccuracy} onChange={(e) => setConstraints({ ...constraints, minAccuracy: e.target.value })} /></label>
            <label>Largest accuracy drop (0–1) <input inputMode="decimal" value={constraints.maxAccuracyDrop} onChange={(e) => setConstraints({ ...constraints, maxAccuracyDrop: e.target.value })} /></label>
            <label>Slowest latency, ms <input inputMode="decimal" value={constraints.maxLatencyMs} onChange={(e) => setConstraints({ ...constraints, maxLatencyMs: e.target.value })} /></label>
          </fieldset>
          <fieldset className="card">
            <legend>Time budget (optional)</legend>
            <label>Training seconds for the whole run (default 45; the same budget gives the same results) <input inputMode="decimal" value={budget} onChange={(e) => setBudget(e.target.value)} /></label>
          </fieldset>
          <UserErrors errors={result.data?.startRun.userErrors} />
          {result.error && <p role="alert" className="error">{result.error.graphQLErrors[0]?.message ?? result.error.message}</p>}
          <button type="submit" disabled={targets.length === 0 || result.fetching || (!auto && Object.keys(chosen).length === 0)}>Start run</button>
        </form>
      )}
    </>
  );
}
