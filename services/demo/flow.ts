// The demo's path through the public API, step by step; `npm run demo` and tests/e2e both drive it.
import { CondenseClient, httpFetch, type UserError } from './client.ts';
import { DemoError } from './errors.ts';

export interface RunEventView {
  cursor: string;
  sequence: number;
  type: string;
  phase: string | null;
  candidateKey: string | null;
  epoch: number | null;
  step: number | null;
  loss: number | null;
  metrics: Record<string, number> | null;
  samplesPerSecond: number | null;
  etaSeconds: number | null;
  message: string | null;
  data: Record<string, unknown>;
}

export interface CandidateView {
  id: string;
  key: string;
  status: 'SUCCEEDED' | 'FAILED';
  quantization: string | null;
  pareto: boolean;
  techniqueChain: { plugin: string }[];
  metrics: { accuracy: number | null; bytes: number | null; downloadBytes: number | null; parameterCount: number | null; estimatedLatencyMs: number | null; hostLatencyMs: number | null; compressionRatio: number | null; speedup: number | null };
  targetFit: { target: string; fits: boolean | null; failures: { rule: string; message: string }[] };
  failure: { stage: string; message: string } | null;
}

export const RUN_EVENTS_SUBSCRIPTION = `subscription($runId: ID!, $after: String) { runEvents(runId: $runId, after: $after) {
  cursor sequence type phase candidateKey epoch step loss metrics samplesPerSecond etaSeconds message data } }`;

/** Creates an organization with the operator token, then a dedicated API key with the owner's key. */
export async function createOrganization(operator: CondenseClient, input: { name: string; slug: string; ownerEmail: string; ownerName: string }) {
  const org = await operator.mutate<{ organization: { id: string; slug: string }; secret: string; userErrors: UserError[] }>(
    `mutation($input: CreateOrganizationInput!) { createOrganization(input: $input) { organization { id slug } secret userErrors { code field message } } }`,
    { input },
  );
  const owner = operator.withBearer(org.secret);
  const key = await owner.mutate<{ apiKey: { prefix: string }; secret: string; userErrors: UserError[] }>(
    `mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { apiKey { prefix } secret userErrors { code field message } } }`,
    { input: { name: 'demo' } },
  );
  return { organizationId: org.organization.id, slug: org.organization.slug, client: operator.withBearer(key.secret), keyPrefix: key.apiKey.prefix, secret: key.secret };
}

export async function createProject(client: CondenseClient, name: string): Promise<string> {
  const payload = await client.mutate<{ project: { id: string }; userErrors: UserError[] }>(
    `mutation($input: CreateProjectInput!) { createProject(input: $input) { project { id } userErrors { code field message } } }`,
    { input: { name } },
  );
  return payload.project.id;
}

export async function uploadModel(client: CondenseClient, projectId: string, filename: string, bytes: Uint8Array) {
  const uploadId = await client.upload('MODEL', filename, bytes);
  const payload = await client.mutate<{ modelVersion: { id: string; format: string; parameterCount: number }; userErrors: UserError[] }>(
    `mutation($input: CompleteModelUploadInput!) { completeModelUpload(input: $input) { modelVersion { id format parameterCount } userErrors { code field message } } }`,
    { input: { uploadId, projectId, modelName: 'digits' } },
  );
  return payload.modelVersion;
}

export async function uploadDataset(client: CondenseClient, projectId: string, filename: string, bytes: Uint8Array) {
  const uploadId = await client.upload('DATASET', filename, bytes);
  const payload = await client.mutate<{ dataset: { id: string; format: string; sampleCount: number; splits: { split: string; count: number }[] }; userErrors: UserError[] }>(
    `mutation($input: CompleteDatasetUploadInput!) { completeDatasetUpload(input: $input) { dataset { id format sampleCount splits { split count } } userErrors { code field message } } }`,
    { input: { uploadId, projectId, name: 'mnist digits' } },
  );
  return payload.dataset;
}

export async function startRun(client: CondenseClient, input: { modelVersionId: string; datasetId: string; targets: string[] }): Promise<string> {
  const payload = await client.mutate<{ run: { id: string; status: string }; userErrors: UserError[] }>(
    `mutation($input: StartRunInput!) { startRun(input: $input) { run { id status } userErrors { code field message } } }`,
    { input: { ...input, auto: true } },
  );
  return payload.run.id;
}

/** Follows runEvents until it completes; returns every event in the order received. */
export async function followRun(client: CondenseClient, runId: string, onEvent: (event: RunEventView) => void = () => undefined): Promise<RunEventView[]> {
  const events: RunEventView[] = [];
  await client.followRun<RunEventView>(RUN_EVENTS_SUBSCRIPTION, { runId }, (event) => {
    events.push(event);
    onEvent(event);
  }).done;
  return events;
}

export async function runCandidates(client: CondenseClient, runId: string): Promise<{ status: string; message: string | null; candidates: CandidateView[] }> {
  type Page = { status: string; message: string | null; candidates: { edges: { node: CandidateView }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } } };
  const candidates: CandidateView[] = [];
  let after: string | null = null;
  // Pages of 20 keep each query under the API's cost limit.
  for (;;) {
    const data: { node: Page | null } = await client.request<{ node: Page | null }>(
      `query($id: ID!, $after: String) { node(id: $id) { ... on CompressionRun { status message candidates(first: 20, after: $after) { edges { node {
        id key status quantization pareto techniqueChain { plugin }
        metrics { accuracy bytes downloadBytes parameterCount estimatedLatencyMs hostLatencyMs compressionRatio speedup }
        targetFit { target fits failures { rule message } } failure { stage message } } } pageInfo { hasNextPage endCursor } } } } }`,
      { id: runId, after },
    );
    if (!data.node) throw new DemoError(`run ${runId} not found`);
    candidates.push(...data.node.candidates.edges.map((e) => e.node));
    if (!data.node.candidates.pageInfo.hasNextPage) return { status: data.node.status, message: data.node.message, candidates };
    after = data.node.candidates.pageInfo.endCursor;
  }
}

/** One candidate's headline metrics, e.g. while a run is still going. */
export async function candidateSummary(client: CondenseClient, candidateId: string): Promise<string> {
  // CANDIDATE_FINISHED payloads carry the database uuid, not the global id node() expects.
  const id = /^[0-9a-f-]{36}$/i.test(candidateId) ? Buffer.from(`Candidate:${candidateId}`).toString('base64url') : candidateId;
  const data = await client.request<{ node: { status: string; metrics: { accuracy: number | null; bytes: number | null; compressionRatio: number | null }; targetFit: { fits: boolean | null } } | null }>(
    `query($id: ID!) { node(id: $id) { ... on Candidate { status metrics { accuracy bytes compressionRatio } targetFit { fits } } } }`,
    { id },
  );
  const c = data.node;
  if (!c) return 'finished';
  const m = c.metrics;
  return [
    m.accuracy != null ? `accuracy ${(m.accuracy * 100).toFixed(2)}%` : null,
    m.bytes != null ? `${(m.bytes / 1024).toFixed(1)} KB` : null,
    m.compressionRatio != null ? `${m.compressionRatio.toFixed(1)}× smaller` : null,
    c.targetFit.fits === false ? 'does not fit the target' : null,
  ].filter(Boolean).join(', ');
}

/** Most accurate succeeded candidate of `target` that fits it; ties go to the smaller file. */
export function bestCandidate(candidates: CandidateView[], target: string): CandidateView | undefined {
  return candidates
    .filter((c) => c.targetFit.target === target && c.status === 'SUCCEEDED' && c.targetFit.fits !== false && c.metrics.accuracy !== null)
    .sort((a, b) => b.metrics.accuracy! - a.metrics.accuracy! || (a.metrics.bytes ?? 0) - (b.metrics.bytes ?? 0))[0];
}

export async function publish(client: CondenseClient, candidateId: string, channel: string): Promise<string> {
  const payload = await client.mutate<{ deployment: { id: string }; userErrors: UserError[] }>(
    `mutation($input: PublishCandidateInput!) { publishCandidate(input: $input) { deployment { id } userErrors { code field message } } }`,
    { input: { candidateId, channel } },
  );
  return payload.deployment.id;
}

export async function createAppKey(client: CondenseClient, projectId: string, name: string): Promise<string> {
  const payload = await client.mutate<{ secret: string; userErrors: UserError[] }>(
    `mutation($input: CreateAppKeyInput!) { createAppKey(input: $input) { secret userErrors { code field message } } }`,
    { input: { projectId, name } },
  );
  return payload.secret;
}

export interface AppDownload {
  status: number;
  etag: string | null;
  deployment: string | null;
  bytes: Uint8Array;
}

/** What an app does: GET the channel's model with its app key (and optionally the ETag it holds). */
export async function fetchChannelModel(baseUrl: string, projectId: string, channel: string, appKey: string, ifNoneMatch?: string): Promise<AppDownload> {
  const res = await httpFetch(`${baseUrl}/v1/projects/${encodeURIComponent(projectId)}/channels/${encodeURIComponent(channel)}/model`, {
    headers: { authorization: `Bearer ${appKey}`, ...(ifNoneMatch ? { 'if-none-match': ifNoneMatch } : {}) },
  });
  const bytes = new Uint8Array(await res.arrayBuffer());
  if (res.status !== 200 && res.status !== 304) throw new DemoError(`app endpoint: HTTP ${res.status} ${new TextDecoder().decode(bytes).slice(0, 200)}`);
  return { status: res.status, etag: res.headers.get('etag'), deployment: res.headers.get('x-condense-deployment'), bytes };
}
