// End-to-end through real clients: HTTP (fetch) and graphql-ws, on a server over a test database.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { withTenant } from '../../services/db/tenant.ts';
import { appendRunEvent } from '../../services/events/index.ts';
import { finishRun, insertCandidate, markParetoFront, markRunStarted, recordCandidateProgress, setRunPhase } from '../../services/runs-store/index.ts';
import { openBlobStore } from '../../services/blob/index.ts';
import { keyOf } from '../../services/api/ids.ts';
import {
  CREATE_PROJECT, START_RUN, collect, gql, ok, seedProject, sha256, startHarness, tinyCsv, tinyModelZip, upload, wsClient, type Harness,
} from './harness.ts';

const RUN_EVENTS = `subscription($runId: ID!, $after: String) { runEvents(runId: $runId, after: $after) { cursor sequence type phase candidateKey loss } }`;

describe('API flow', () => {
  let h: Harness;
  let seeded: Awaited<ReturnType<typeof seedProject>>;
  before(async () => {
    h = await startHarness();
    seeded = await seedProject(h, h.a);
  });
  after(async () => h?.close());

  it('answers viewer with the caller, org and key', async () => {
    const data = await ok(h.server, h.a.ownerKey, `{ viewer { role organization { slug } member { email } apiKey { prefix revokedAt } } }`);
    assert.equal(data.viewer.role, 'OWNER');
    assert.equal(data.viewer.organization.slug, 'org-a');
    assert.equal(data.viewer.member.email, 'owner@org-a.test');
    assert.ok(h.a.ownerKey.startsWith(data.viewer.apiKey.prefix));
  });

  it('rejects a bad key with 401 and anonymous calls with UNAUTHENTICATED', async () => {
    const bad = await gql(h.server, 'cnd_' + 'x'.repeat(40), '{ viewer { role } }');
    assert.equal(bad.status, 401);
    assert.equal(bad.body.errors?.[0]?.extensions?.code, 'UNAUTHENTICATED');
    const anon = await gql(h.server, null, '{ viewer { role } }');
    assert.equal(anon.body.errors?.[0]?.extensions?.code, 'UNAUTHENTICATED');
  });

  it('creates, updates, archives projects, with userErrors for expected failures and cursor pages', async () => {
    for (const name of ['p1', 'p2', 'p3']) await ok(h.server, h.a.ownerKey, CREATE_PROJECT, { input: { name } });
    const dup = await ok(h.server, h.a.ownerKey, CREATE_PROJECT, { input: { name: 'p1' } });
    assert.equal(dup.createProject.project, null);
    assert.equal(dup.createProject.userErrors[0].code, 'ALREADY_EXISTS');
    const empty = await ok(h.server, h.a.ownerKey, CREATE_PROJECT, { input: { name: '  ' } });
    assert.deepEqual(empty.createProject.userErrors[0], { code: 'INVALID_INPUT', field: ['input', 'name'], message: 'name must be 1 to 200 characters' });

    const page1 = await ok(h.server, h.a.ownerKey, `{ projects(first: 2) { totalCount edges { cursor node { name } } pageInfo { hasNextPage endCursor } } }`);
    assert.equal(page1.projects.totalCount, 4);
    assert.deepEqual(page1.projects.edges.map((e: any) => e.node.name), ['digits', 'p1']);
    assert.equal(page1.projects.pageInfo.hasNextPage, true);
    const page2 = await ok(h.server, h.a.ownerKey, `query($after: String) { projects(first: 100, after: $after) { edges { node { id name } } pageInfo { hasNextPage } } }`, {
      after: page1.projects.pageInfo.endCursor,
    });
    assert.deepEqual(page2.projects.edges.map((e: any) => e.node.name), ['p2', 'p3']);
    assert.equal(page2.projects.pageInfo.hasNextPage, false);

    const p3 = page2.projects.edges[1].node.id;
    const updated = await ok(h.server, h.a.ownerKey, `mutation($input: UpdateProjectInput!) { updateProject(input: $input) { project { name description } userErrors { code } } }`, {
      input: { projectId: p3, description: 'third' },
    });
    assert.equal(updated.updateProject.project.description, 'third');
    const archived = await ok(h.server, h.a.ownerKey, `mutation($input: ArchiveProjectInput!) { archiveProject(input: $input) { project { archivedAt } userErrors { code } } }`, {
      input: { projectId: p3 },
    });
    assert.ok(archived.archiveProject.project.archivedAt);
    const node = await ok(h.server, h.a.ownerKey, `query($id: ID!) { node(id: $id) { id ... on Project { name archivedAt } } }`, { id: p3 });
    assert.equal(node.node.name, 'p3');
    const active = await ok(h.server, h.a.ownerKey, `{ projects { totalCount } }`);
    assert.equal(active.projects.totalCount, 3);
  });

  it('manages teams: create, add and remove members, own projects', async () => {
    const team = (await ok(h.server, h.a.ownerKey, `mutation { createTeam(input: { name: "vision" }) { team { id name } userErrors { code } } }`)).createTeam.team;
    const me = (await ok(h.server, h.a.ownerKey, '{ viewer { member { id } } }')).viewer.member.id;
    const input = { teamId: team.id, memberId: me };
    const added = await ok(h.server, h.a.ownerKey, `mutation($input: TeamMemberInput!) { addTeamMember(input: $input) { team { members { totalCount edges { node { email } } } } userErrors { code } } }`, { input });
    assert.deepEqual(added.addTeamMember.team.members.edges.map((e: any) => e.node.email), ['owner@org-a.test']);
    const project = await ok(h.server, h.a.ownerKey, `mutation($input: CreateProjectInput!) { createProject(input: $input) { project { team { name } } userErrors { code } } }`, {
      input: { name: 'team-project', teamId: team.id },
    });
    assert.equal(project.createProject.project.team.name, 'vision');
    const removed = await ok(h.server, h.a.ownerKey, `mutation($input: TeamMemberInput!) { removeTeamMember(input: $input) { team { members { totalCount } } userErrors { code } } }`, { input });
    assert.equal(removed.removeTeamMember.team.members.totalCount, 0);
    const again = await ok(h.server, h.a.ownerKey, `mutation($input: TeamMemberInput!) { removeTeamMember(input: $input) { userErrors { code } } }`, { input });
    assert.equal(again.removeTeamMember.userErrors[0].code, 'NOT_FOUND');
    await ok(h.server, h.a.ownerKey, `mutation($input: ArchiveProjectInput!) { archiveProject(input: $input) { userErrors { code } } }`, {
      input: { projectId: (await ok(h.server, h.a.ownerKey, '{ projects(first: 100) { edges { node { id name } } } }')).projects.edges.find((e: any) => e.node.name === 'team-project').node.id },
    });
  });

  it('registered the uploaded model and dataset with their metadata', async () => {
    const data = await ok(h.server, h.a.ownerKey, `query($mv: ID!, $ds: ID!) {
      mv: node(id: $mv) { ... on ModelVersion { version format parameterCount bytes signature { inputs { shape dtype } outputs { shape } } model { name } } }
      ds: node(id: $ds) { ... on Dataset { format sampleCount labels splits { split count } inputShape } } }`, { mv: seeded.modelVersionId, ds: seeded.datasetId });
    assert.equal(data.mv.version, 1);
    assert.equal(data.mv.format, 'tfjs-layers');
    assert.equal(data.mv.parameterCount, 4 * 3 + 3);
    assert.deepEqual(data.mv.signature.inputs[0].shape, [null, 4]);
    assert.equal(data.mv.model.name, 'classifier');
    assert.equal(data.ds.format, 'csv');
    assert.equal(data.ds.sampleCount, 60);
    assert.deepEqual(data.ds.inputShape, [4]);
    assert.equal(data.ds.splits.reduce((s: number, x: any) => s + x.count, 0), 60);
  });

  it('refuses bad uploads with a clear error and stores nothing', async () => {
    const blobs = openBlobStore({ dataDir: h.dataDir });
    const model = await tinyModelZip();
    // Wrong sha: the declared hash is of other bytes.
    const wrong = await upload(h.server, h.a.ownerKey, 'MODEL', 'm.zip', model, { declaredSha: sha256(new Uint8Array([1, 2, 3])) });
    assert.equal(wrong.put.status, 400);
    assert.equal(((await wrong.put.json()) as any).error.code, 'SHA256_MISMATCH');
    // Truncated: fewer bytes than declared (and so another hash).
    const other = new Uint8Array(500).fill(7);
    const truncated = await upload(h.server, h.a.ownerKey, 'MODEL', 't.zip', other, { send: other.subarray(0, 200) });
    assert.equal(truncated.put.status, 400);
    assert.equal(await blobs.stat(sha256(other.subarray(0, 200))), null);
    assert.equal(await blobs.stat(sha256(other)), null);
    // Over the limit: more bytes than declared.
    const big = new Uint8Array(1000).fill(3);
    const over = await upload(h.server, h.a.ownerKey, 'MODEL', 'o.zip', big.subarray(0, 100), { send: big });
    assert.equal(over.put.status, 413);
    assert.equal(await blobs.stat(sha256(big)), null);
    // Completing any of them says the bytes never arrived, with the reason.
    const notReceived = await ok(h.server, h.a.ownerKey, `mutation($input: CompleteModelUploadInput!) { completeModelUpload(input: $input) { modelVersion { id } userErrors { code message } } }`, {
      input: { uploadId: wrong.uploadId, projectId: seeded.projectId, modelName: 'x' },
    });
    assert.equal(notReceived.completeModelUpload.userErrors[0].code, 'UPLOAD_NOT_RECEIVED');
    assert.match(notReceived.completeModelUpload.userErrors[0].message, /not been uploaded/);
    // Larger than the server accepts at all: refused when asking for the URL.
    const huge = await ok(h.server, h.a.ownerKey, `mutation($input: CreateUploadInput!) { createUpload(input: $input) { uploadUrl userErrors { code field message } } }`, {
      input: { purpose: 'MODEL', filename: 'h.zip', bytes: 3_000_000, sha256: 'a'.repeat(64) },
    });
    assert.equal(huge.createUpload.uploadUrl, null);
    assert.equal(huge.createUpload.userErrors[0].field[1], 'bytes');
    // Idempotent upload creation: same key + same input → same upload; other input → conflict.
    const idem = (bytes: number) => ok(h.server, h.a.ownerKey, `mutation($input: CreateUploadInput!) { createUpload(input: $input) { upload { id } userErrors { code } } }`, {
      input: { purpose: 'DATASET', filename: 'i.csv', bytes, sha256: 'b'.repeat(64), idempotencyKey: 'upload-1' },
    });
    const u1 = await idem(10);
    assert.equal((await idem(10)).createUpload.upload.id, u1.createUpload.upload.id);
    assert.equal((await idem(11)).createUpload.userErrors[0].code, 'IDEMPOTENCY_CONFLICT');
    // Wrong format: bytes arrive fine but are not a model; no version is registered.
    const csv = tinyCsv(5);
    const notModel = await upload(h.server, h.a.ownerKey, 'MODEL', 'model.h5', csv);
    assert.equal(notModel.put.status, 200);
    const rejected = await ok(h.server, h.a.ownerKey, `mutation($input: CompleteModelUploadInput!) { completeModelUpload(input: $input) { modelVersion { id } userErrors { code message } } }`, {
      input: { uploadId: notModel.uploadId, projectId: seeded.projectId, modelName: 'bogus' },
    });
    assert.equal(rejected.completeModelUpload.modelVersion, null);
    assert.equal(rejected.completeModelUpload.userErrors[0].code, 'INVALID_MODEL');
    const models = await withTenant(h.database.db, h.a.orgId, (trx) => trx.selectFrom('models').select('name').execute());
    assert.deepEqual(models.map((m) => m.name), ['classifier']);
    // A signed URL cannot be reused once the bytes arrived, nor forged.
    const again = await fetch(notModel.uploadUrl, { method: 'PUT', body: Buffer.from(csv) });
    assert.equal(again.status, 409);
    const forged = await fetch(notModel.uploadUrl.replace(/token=.{4}/, 'token=AAAA'), { method: 'PUT', body: Buffer.from(csv) });
    assert.equal(forged.status, 403);
  });

  it('starts runs idempotently, validates targets, and records audit rows', async () => {
    const input = { modelVersionId: seeded.modelVersionId, datasetId: seeded.datasetId, targets: ['cpu-int8'], constraints: { maxBytes: 100000 }, idempotencyKey: 'k1' };
    const first = await ok(h.server, h.a.ownerKey, START_RUN, { input });
    const second = await ok(h.server, h.a.ownerKey, START_RUN, { input });
    assert.equal(first.startRun.run.status, 'QUEUED');
    assert.equal(first.startRun.run.autoTechniques, true);
    assert.equal(second.startRun.run.id, first.startRun.run.id);
    const conflict = await ok(h.server, h.a.ownerKey, START_RUN, { input: { ...input, targets: ['cpu-fp32'] } });
    assert.equal(conflict.startRun.userErrors[0].code, 'IDEMPOTENCY_CONFLICT');
    const unknown = await ok(h.server, h.a.ownerKey, START_RUN, { input: { ...input, idempotencyKey: null, targets: ['toaster'] } });
    assert.equal(unknown.startRun.userErrors[0].code, 'UNKNOWN_TARGET');
    // Explicit techniques: plugins must be installed and configs valid; defaults are filled.
    const plugins = await ok(h.server, h.a.ownerKey, '{ plugins { name kind configSchema } }');
    const pruning = plugins.plugins.find((p: any) => p.name === 'pruning');
    assert.ok(pruning, 'the built-in pruning plugin is listed');
    assert.equal(pruning.configSchema.type, 'object');
    const base = { modelVersionId: seeded.modelVersionId, datasetId: seeded.datasetId, targets: ['cpu-int8'] };
    const badPlugin = await ok(h.server, h.a.ownerKey, START_RUN, { input: { ...base, techniques: [{ plugin: 'no-such-plugin', config: {} }] } });
    assert.equal(badPlugin.startRun.userErrors[0].code, 'UNKNOWN_PLUGIN');
    const badConfig = await ok(h.server, h.a.ownerKey, START_RUN, { input: { ...base, techniques: [{ plugin: 'pruning', config: { targetSparsity: 5 } }] } });
    assert.equal(badConfig.startRun.userErrors[0].code, 'INVALID_PLUGIN_CONFIG');
    assert.match(badConfig.startRun.userErrors[0].message, /targetSparsity/);
    const explicit = await ok(h.server, h.a.ownerKey, `mutation($input: StartRunInput!) { startRun(input: $input) { run { autoTechniques techniques { plugin config } } userErrors { code message } } }`, {
      input: { ...base, techniques: [{ plugin: 'pruning', config: { targetSparsity: 0.5 } }] },
    });
    assert.deepEqual(explicit.startRun.userErrors, []);
    assert.equal(explicit.startRun.run.autoTechniques, false);
    assert.equal(explicit.startRun.run.techniques[0].config.targetSparsity, 0.5);
    assert.ok(Object.keys(explicit.startRun.run.techniques[0].config).length > 1, 'defaults filled');
    const cancel = await ok(h.server, h.a.ownerKey, `mutation($input: RunIdInput!) { cancelRun(input: $input) { run { cancelRequested } userErrors { code } } }`, {
      input: { runId: first.startRun.run.id },
    });
    assert.equal(cancel.cancelRun.run.cancelRequested, true);
    const audit = await withTenant(h.database.db, h.a.orgId, (trx) => trx.selectFrom('audit_log').select('action').where('action', 'like', 'run.%').execute());
    assert.deepEqual(audit.map((r) => r.action).sort(), ['run.cancel', 'run.start', 'run.start']);
  });

  it('streams run events: replay after a cursor, then live, in order, across a reconnect; candidates, downloads, deploy, app endpoint', async () => {
    const run = (await ok(h.server, h.a.ownerKey, START_RUN, { input: { modelVersionId: seeded.modelVersionId, datasetId: seeded.datasetId, targets: ['cpu-int8', 'cpu-fp32'] } })).startRun.run;
    const runId = keyOf(run.id, 'CompressionRun')!;
    const ref = { orgId: h.a.orgId, runId };
    const tenant = <T>(fn: Parameters<typeof withTenant<T>>[2]) => withTenant(h.database.db, h.a.orgId, fn);
    await tenant((trx) => markRunStarted(trx, ref));
    await tenant((trx) => setRunPhase(trx, { ...ref, phase: 'candidates' }));

    const client = wsClient(h.server, h.a.ownerKey);
    const first = collect(client, RUN_EVENTS, { runId: run.id }, 5);
    for (let step = 1; step <= 3; step++) await tenant((trx) => recordCandidateProgress(trx, { ...ref, candidateKey: 'prune-50', step, loss: 1 / step }));
    const got = await first.done;
    assert.deepEqual(got.map((r) => r.data.runEvents.type), ['RUN_QUEUED', 'RUN_STARTED', 'PHASE_CHANGED', 'CANDIDATE_PROGRESS', 'CANDIDATE_PROGRESS']);
    assert.deepEqual(got.map((r) => r.data.runEvents.sequence), [1, 2, 3, 4, 5]);
    const lastCursor = got.at(-1).data.runEvents.cursor;

    // "Reconnect" with the last cursor while more events are written: nothing lost, nothing twice.
    const blobs = openBlobStore({ dataDir: h.dataDir });
    const tflite = new TextEncoder().encode('TFL3-fake-model-bytes-for-api-test');
    const tfliteB = new TextEncoder().encode('TFL3-other-candidate');
    await blobs.put(tflite);
    await blobs.put(tfliteB);
    const idA = await tenant((trx) => insertCandidate(trx, ref, { key: 'prune-50', target: 'cpu-int8', chain: [{ plugin: 'prune', config: { sparsity: 0.5 } }], ok: true, accuracy: 0.9, bytes: tflite.length, downloadBytes: 30, tfliteSha256: sha256(tflite), fits: true, compressionRatio: 3.5 }));
    await tenant((trx) => insertCandidate(trx, ref, { key: 'quant', target: 'cpu-fp32', chain: [], ok: true, accuracy: 0.8, bytes: tfliteB.length, tfliteSha256: sha256(tfliteB), fits: false, fitFailures: [{ rule: 'file-size', message: 'too big' }] }));
    await tenant((trx) => markParetoFront(trx, ref, [idA]));
    const resumed = collect(wsClient(h.server, h.a.ownerKey), RUN_EVENTS, { runId: run.id, after: lastCursor });
    await tenant((trx) => appendRunEvent(trx, { ...ref, type: 'LOG', payload: { message: 'almost' } }));
    await tenant((trx) => finishRun(trx, { ...ref, status: 'succeeded' }));
    const rest = await resumed.done; // completes after the terminal event
    assert.deepEqual(rest.map((r) => r.data.runEvents.sequence), [6, 7, 8, 9, 10]);
    assert.deepEqual(rest.map((r) => r.data.runEvents.type), ['CANDIDATE_PROGRESS', 'CANDIDATE_FINISHED', 'CANDIDATE_FINISHED', 'LOG', 'RUN_SUCCEEDED']);
    assert.equal(rest.at(-1).data.runEvents.type, 'RUN_SUCCEEDED');
    await client.dispose();

    // The timeline as a connection.
    const timeline = await ok(h.server, h.a.ownerKey, `query($id: ID!) { node(id: $id) { ... on CompressionRun { status events(first: 4, after: "2") { totalCount edges { cursor node { type } } pageInfo { hasNextPage } } } } }`, { id: run.id });
    assert.equal(timeline.node.status, 'SUCCEEDED');
    assert.equal(timeline.node.events.totalCount, 10);
    assert.deepEqual(timeline.node.events.edges.map((e: any) => e.cursor), ['3', '4', '5', '6']);
    assert.equal(timeline.node.events.pageInfo.hasNextPage, true);

    // Candidates with metrics, fit, Pareto flag and a working signed download.
    const cands = await ok(h.server, h.a.ownerKey, `query($id: ID!) { node(id: $id) { ... on CompressionRun { candidates { totalCount edges { node { id key pareto metrics { accuracy bytes downloadBytes compressionRatio } targetFit { target fits failures { rule message } } downloads { tflite tfjs } } } } } } }`, { id: run.id });
    const [a, b] = cands.node.candidates.edges.map((e: any) => e.node);
    assert.equal(cands.node.candidates.totalCount, 2);
    assert.equal(a.pareto, true);
    assert.equal(b.pareto, false);
    assert.deepEqual(b.targetFit, { target: 'cpu-fp32', fits: false, failures: [{ rule: 'file-size', message: 'too big' }] });
    assert.equal(a.metrics.compressionRatio, 3.5);
    assert.equal(a.metrics.downloadBytes, 30);
    assert.equal(b.metrics.downloadBytes, null);
    assert.equal(a.downloads.tfjs, null);
    // Signed downloads: gzip for clients that accept it (fetch decodes it), raw bytes otherwise.
    const dl = await fetch(a.downloads.tflite, { headers: { 'accept-encoding': 'gzip' } });
    assert.equal(dl.status, 200);
    assert.equal(dl.headers.get('content-encoding'), 'gzip');
    assert.equal(dl.headers.get('x-condense-decoded-length'), String(tflite.length));
    assert.deepEqual(new Uint8Array(await dl.arrayBuffer()), tflite);
    const raw = await fetch(a.downloads.tflite, { headers: { 'accept-encoding': 'identity' } });
    assert.equal(raw.headers.get('content-encoding'), null);
    assert.equal(raw.headers.get('content-length'), String(tflite.length));
    assert.deepEqual(new Uint8Array(await raw.arrayBuffer()), tflite);

    // Deploy, app key, ETag/304, rollback.
    const publish = (candidateId: string) => ok(h.server, h.a.ownerKey, `mutation($input: PublishCandidateInput!) { publishCandidate(input: $input) { deployment { id channel candidate { key } } userErrors { code } } }`, { input: { candidateId, channel: 'production' } });
    const d1 = await publish(a.id);
    assert.equal(d1.publishCandidate.deployment.candidate.key, 'prune-50');
    const appKey = (await ok(h.server, h.a.ownerKey, `mutation($input: CreateAppKeyInput!) { createAppKey(input: $input) { secret appKey { prefix } userErrors { code } } }`, { input: { projectId: seeded.projectId, name: 'android' } })).createAppKey;
    const appUrl = `${h.server.url}/v1/projects/${seeded.projectId}/channels/production/model`;
    const get = (headers: Record<string, string> = {}) => fetch(appUrl, { headers: { authorization: `Bearer ${appKey.secret}`, ...headers } });
    const m1 = await get({ 'accept-encoding': 'gzip, deflate' });
    assert.equal(m1.status, 200);
    assert.equal(m1.headers.get('etag'), `"${sha256(tflite)}"`);
    assert.equal(m1.headers.get('content-encoding'), 'gzip');
    assert.equal(m1.headers.get('vary'), 'Accept-Encoding');
    assert.deepEqual(new Uint8Array(await m1.arrayBuffer()), tflite);
    assert.equal((await get({ 'accept-encoding': 'gzip;q=0' })).headers.get('content-encoding'), null);
    assert.equal((await get({ 'if-none-match': `"${sha256(tflite)}"` })).status, 304);
    await publish(b.id);
    const m2 = await get({ 'if-none-match': `"${sha256(tflite)}"` });
    assert.equal(m2.status, 200);
    assert.equal(m2.headers.get('etag'), `"${sha256(tfliteB)}"`);
    const rollback = await ok(h.server, h.a.ownerKey, `mutation($input: RollbackDeploymentInput!) { rollbackDeployment(input: $input) { deployment { candidate { key } rollbackOf { id } } userErrors { code message } } }`, {
      input: { projectId: seeded.projectId, channel: 'production' },
    });
    assert.equal(rollback.rollbackDeployment.deployment.candidate.key, 'prune-50');
    assert.equal((await get()).headers.get('etag'), `"${sha256(tflite)}"`);
    assert.equal((await fetch(appUrl, { headers: { authorization: 'Bearer cnda_nope' } })).status, 401);
    assert.equal((await fetch(appUrl.replace('production', 'beta'), { headers: { authorization: `Bearer ${appKey.secret}` } })).status, 404);
    const audit = await withTenant(h.database.db, h.a.orgId, (trx) => trx.selectFrom('audit_log').select('action').where('action', 'like', 'deployment.%').execute());
    assert.equal(audit.length, 3);
  });
});
