// Regression tests for #12 against two API processes on one database: revoking an API key ends
// the subscriptions opened with it on every process within a second (NOTIFY, M1), and so does
// signing a console session out (and the cookie stops working on every process); revoking kills the
// download URLs it minted; archived projects' channels answer 404; concurrent completions of one
// upload register one version; an invite shows nothing another organization knows; API-key
// scopes are enforced on every operation; Int inputs are range-checked.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { keyOf, toGlobalId as toGlobalIdOf } from '../../services/api/ids.ts';
import { createServer, type ApiServer } from '../../services/api/server.ts';
import { openBlobStore } from '../../services/blob/index.ts';
import { loadConfig } from '../../services/config.ts';
import { withTenant } from '../../services/db/tenant.ts';
import { appendRunEvent } from '../../services/events/index.ts';
import { insertCandidate } from '../../services/runs-store/index.ts';
import { addMember } from '../../services/tenancy/index.ts';
import { MUTATION_SCOPES } from '../../services/api/scopes.ts';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { START_RUN, collect, gql, memberKey, ok, seedProject, sha256, startHarness, tinyModelZip, upload, wsClient, type Harness } from '../api/harness.ts';

const REVOKE = `mutation($input: RevokeApiKeyInput!) { revokeApiKey(input: $input) { apiKey { id } userErrors { code message } } }`;
const EVENTS = 'subscription($runId: ID!) { runEvents(runId: $runId) { sequence } }';

let h: Harness;
let second: ApiServer;
let runId: string;
let runGlobalId: string;
let projectId: string;

before(async () => {
    h = await startHarness({ rateLimit: false });
    const config = loadConfig({ CONDENSE_DATA_DIR: h.dataDir, CONDENSE_SIGNING_SECRET: 's'.repeat(48), NODE_ENV: 'test' });
    second = await createServer({ database: h.database, config, port: 0, host: '127.0.0.1', log: () => undefined, rateLimit: false });
    const seeded = await seedProject(h, h.a);
    projectId = seeded.projectId;
    const run = (await ok(h.server, h.a.ownerKey, START_RUN, { input: { modelVersionId: seeded.modelVersionId, datasetId: seeded.datasetId, targets: ['cpu-int8'] } })).startRun.run;
    runGlobalId = run.id;
    runId = keyOf(run.id, 'CompressionRun')!;
});
after(async () => {
  await second?.close();
  await h?.close();
});

describe('a revoked API key', () => {
  const keyIdOf = async (secret: string): Promise<string> => (await ok(h.server, secret, '{ viewer { apiKey { id } } }')).viewer.apiKey.id;
  const append = (step: number) => withTenant(h.database.db, h.a.orgId, (trx) => appendRunEvent(trx, { orgId: h.a.orgId, runId, type: 'CANDIDATE_PROGRESS', payload: { step } }));

  it('ends its open subscriptions on both API processes within a second', async () => {
    const key = await memberKey(h, h.a, 'member', 'watcher@org-a.test');
    const keyId = await keyIdOf(key);
    const clients = [wsClient(h.server, key), wsClient(second, key)];
    const subs = clients.map((client) => collect(client, EVENTS, { runId: runGlobalId }));
    const ended = subs.map((sub) => sub.done.then(() => ({ at: performance.now(), error: null as unknown }), (error: unknown) => ({ at: performance.now(), error })));
    await append(1);
    for (let i = 0; i < 100 && subs.some((s) => s.items.length < 2); i++) await new Promise((r) => setTimeout(r, 50));
    assert.ok(subs.every((s) => s.items.length === 2), 'both subscriptions are live');

    const revokedAt = performance.now();
    const revoked = await ok(h.server, h.a.ownerKey, REVOKE, { input: { apiKeyId: keyId } });
    assert.deepEqual(revoked.revokeApiKey.userErrors, []);
    const outcomes = await Promise.all(ended);
    for (const [i, outcome] of outcomes.entries()) {
      assert.ok(outcome.at - revokedAt < 1000, `subscription ${i} ended after ${Math.round(outcome.at - revokedAt)} ms`);
      const message = outcome.error instanceof Error ? outcome.error.message : JSON.stringify(outcome.error);
      assert.match(message, /revoked/, `subscription ${i} ended with ${message}`);
    }
    // Later events do not reach them.
    await append(2);
    await new Promise((r) => setTimeout(r, 300));
    assert.deepEqual(subs.map((s) => s.items.length), [2, 2]);
    await Promise.all(clients.map((c) => c.dispose()));
  });

  it('subscriptions of other keys keep running', async () => {
    const key = await memberKey(h, h.a, 'member', 'other@org-a.test');
    const doomed = await memberKey(h, h.a, 'member', 'doomed@org-a.test');
    const client = wsClient(second, key);
    const sub = collect(client, EVENTS, { runId: runGlobalId });
    for (let i = 0; i < 100 && sub.items.length < 1; i++) await new Promise((r) => setTimeout(r, 50));
    const before = sub.items.length;
    await ok(h.server, h.a.ownerKey, REVOKE, { input: { apiKeyId: await keyIdOf(doomed) } });
    await append(3);
    for (let i = 0; i < 100 && sub.items.length <= before; i++) await new Promise((r) => setTimeout(r, 50));
    assert.equal(sub.items.length, before + 1);
    await client.dispose();
  });

  it('kills the download URLs it minted; URLs of other keys still work', async () => {
    const blobs = openBlobStore({ dataDir: h.dataDir });
    const bytes = new TextEncoder().encode('TFL3-bytes-for-the-revocation-test');
    await blobs.put(bytes);
    await withTenant(h.database.db, h.a.orgId, (trx) => insertCandidate(trx, { orgId: h.a.orgId, runId }, {
      key: 'revocation', target: 'cpu-int8', chain: [], ok: true, accuracy: 0.9, bytes: bytes.length, tfliteSha256: sha256(bytes), fits: true,
    }));
    const urlFor = async (secret: string): Promise<string> => {
      const q = await ok(h.server, secret, `query($id: ID!) { node(id: $id) { ... on CompressionRun { candidates { edges { node { key downloads { tflite } } } } } } }`, { id: runGlobalId });
      return q.node.candidates.edges.map((e: any) => e.node).find((c: any) => c.key === 'revocation').downloads.tflite;
    };
    const minter = await memberKey(h, h.a, 'viewer', 'downloader@org-a.test');
    const doomedUrl = await urlFor(minter);
    const ownerUrl = await urlFor(h.a.ownerKey);
    assert.equal((await fetch(doomedUrl)).status, 200);
    await ok(h.server, h.a.ownerKey, REVOKE, { input: { apiKeyId: await keyIdOf(minter) } });
    const dead = await fetch(doomedUrl);
    assert.equal(dead.status, 403);
    assert.match(await dead.text(), /revoked/);
    assert.equal((await fetch(ownerUrl)).status, 200);
  });
});

describe('signing a console session out', () => {
  type Signed = { cookie: string; csrf: string };
  const signIn = async (server: ApiServer, apiKey: string): Promise<Signed> => {
    const res = await fetch(`${server.url}/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ apiKey }) });
    assert.equal(res.status, 200);
    return { cookie: (res.headers.get('set-cookie') ?? '').split(';')[0]!, csrf: ((await res.json()) as { csrfToken: string }).csrfToken };
  };
  const cookieWs = (server: ApiServer, s: Signed) => createClient({
    url: server.wsUrl,
    webSocketImpl: class extends WebSocket {
      constructor(url: string, protocols?: string | string[]) {
        super(url, protocols, { headers: { cookie: s.cookie, origin: server.url } });
      }
    },
    connectionParams: { csrfToken: s.csrf },
    retryAttempts: 0,
    lazy: true,
  });
  const viewerStatus = async (server: ApiServer, s: Signed) => (await fetch(server.graphqlUrl, {
    method: 'POST', headers: { 'content-type': 'application/json', cookie: s.cookie, 'x-condense-csrf': s.csrf }, body: JSON.stringify({ query: '{ viewer { role } }' }),
  })).status;
  const append = (step: number) => withTenant(h.database.db, h.a.orgId, (trx) => appendRunEvent(trx, { orgId: h.a.orgId, runId, type: 'CANDIDATE_PROGRESS', payload: { step } }));

  it('ends that session\'s subscriptions on both API processes within a second, and its cookie everywhere', async () => {
    const key = await memberKey(h, h.a, 'member', 'console-user@org-a.test');
    const session = await signIn(h.server, key);
    const other = await signIn(h.server, key); // a second session of the same key stays signed in
    const clients = [cookieWs(h.server, session), cookieWs(second, session), cookieWs(second, other)];
    const subs = clients.map((client) => collect(client, EVENTS, { runId: runGlobalId }));
    const ended = subs.map((sub) => sub.done.then(() => ({ at: performance.now(), error: null as unknown }), (error: unknown) => ({ at: performance.now(), error })));
    const before = subs.map((sub) => sub.items.length);
    await append(10);
    for (let i = 0; i < 100 && subs.some((sub, j) => sub.items.length <= before[j]!); i++) await new Promise((r) => setTimeout(r, 50));
    assert.ok(subs.every((sub, j) => sub.items.length > before[j]!), 'the three subscriptions are live');
    assert.equal(await viewerStatus(second, session), 200);

    const signedOutAt = performance.now();
    const out = await fetch(`${h.server.url}/session/sign-out`, { method: 'POST', headers: { cookie: session.cookie, 'x-condense-csrf': session.csrf } });
    assert.equal(out.status, 204);
    const outcomes = await Promise.all(ended.slice(0, 2));
    for (const [i, outcome] of outcomes.entries()) {
      assert.ok(outcome.at - signedOutAt < 1000, `subscription ${i} ended after ${Math.round(outcome.at - signedOutAt)} ms`);
      const message = outcome.error instanceof Error ? outcome.error.message : JSON.stringify(outcome.error);
      assert.match(message, /signed out/, `subscription ${i} ended with ${message}`);
    }
    // The cookie no longer works on the other process, nor on a process started afterwards.
    assert.equal(await viewerStatus(second, session), 401);
    const config = loadConfig({ CONDENSE_DATA_DIR: h.dataDir, CONDENSE_SIGNING_SECRET: 's'.repeat(48), NODE_ENV: 'test' });
    const third = await createServer({ database: h.database, config, port: 0, host: '127.0.0.1', log: () => undefined, rateLimit: false });
    try {
      assert.equal(await viewerStatus(third, session), 401);
      assert.equal(await viewerStatus(third, other), 200);
    } finally {
      await third.close();
    }
    // The other session's subscription keeps running.
    const live = subs[2]!.items.length;
    await append(11);
    for (let i = 0; i < 100 && subs[2]!.items.length <= live; i++) await new Promise((r) => setTimeout(r, 50));
    assert.equal(subs[2]!.items.length, live + 1);
    assert.equal(await viewerStatus(second, other), 200);
    await Promise.all(clients.map((c) => c.dispose()));
  });
});

describe('completing an upload', () => {
  it('is idempotent under concurrency: one model version for five simultaneous calls', async () => {
    const { uploadId } = await upload(h.server, h.a.ownerKey, 'MODEL', 'again.zip', await tinyModelZip());
    const complete = () => ok(h.server, h.a.ownerKey, `mutation($input: CompleteModelUploadInput!) { completeModelUpload(input: $input) { modelVersion { id version } userErrors { code message } } }`,
      { input: { uploadId, projectId, modelName: 'concurrent' } });
    const results = await Promise.all(Array.from({ length: 5 }, complete));
    const ids = new Set(results.map((r) => r.completeModelUpload.modelVersion?.id));
    assert.equal(ids.size, 1, JSON.stringify(results));
    const versions = await withTenant(h.database.db, h.a.orgId, (trx) => trx.selectFrom('model_versions as v').innerJoin('models as m', 'm.id', 'v.model_id')
      .select('v.id').where('m.name', '=', 'concurrent').execute());
    assert.equal(versions.length, 1);
    // The constraint holds even for code that skips the lock.
    await assert.rejects(withTenant(h.database.db, h.a.orgId, async (trx) => {
      const row = await trx.selectFrom('model_versions').selectAll().where('id', '=', versions[0]!.id).executeTakeFirstOrThrow();
      const { id: _id, version, ...rest } = row;
      await trx.insertInto('model_versions').values({ ...(rest as any), version: version + 1, signature: JSON.stringify(row.signature), layer_types: JSON.stringify(row.layer_types), preflight: row.preflight ? JSON.stringify(row.preflight) : null }).execute();
    }), /model_versions_upload_idx|duplicate key/);
  });
});

describe('inviting a person another organization knows', () => {
  it('shows only what this organization was told, never the other organization\'s name for them', async () => {
    await withTenant(h.database.db, h.a.orgId, (trx) => addMember(trx, { orgId: h.a.orgId, email: 'shared@person.test', displayName: 'Alice Secretname', role: 'member' }));
    const invite = `mutation($input: InviteMemberInput!) { inviteMember(input: $input) { invitation { displayName email status } token userErrors { code } } }`;
    const invited = await ok(h.server, h.b.ownerKey, invite, { input: { email: 'shared@person.test', role: 'VIEWER' } });
    assert.deepEqual(invited.inviteMember.userErrors, []);
    assert.deepEqual(invited.inviteMember.invitation, { displayName: '', email: 'shared@person.test', status: 'PENDING' });
    // Accepted (with the token), the membership carries what B was told: nothing.
    const accepted = await ok(h.server, h.b.ownerKey, `mutation($input: InvitationAnswerInput!) { acceptInvitation(input: $input) { userErrors { code } } }`, { input: { token: invited.inviteMember.token } });
    assert.deepEqual(accepted.acceptInvitation.userErrors, []);
    const members = await ok(h.server, h.b.ownerKey, '{ viewer { organization { members(first: 50) { edges { node { email displayName } } } } } }');
    assert.match(JSON.stringify(members), /shared@person\.test/);
    assert.doesNotMatch(JSON.stringify(members), /Secretname/);
    const inA = await ok(h.server, h.a.ownerKey, '{ viewer { organization { members(first: 50) { edges { node { email displayName } } } } } }');
    assert.match(JSON.stringify(inA), /Alice Secretname/, 'organization A still knows its own name for them');
  });
});

describe('API-key scopes', () => {
  const mint = async (scopes: string[], secret = h.a.ownerKey) => ok(h.server, secret, `mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { secret userErrors { code message } } }`, { input: { name: `scoped ${scopes.join('+')}`, scopes } });

  it('every mutation of the schema has its scope', async () => {
    const { buildApiSchema } = await import('../../services/api/schema.ts');
    const fields = Object.keys((await buildApiSchema()).getMutationType()!.getFields()).sort();
    assert.deepEqual(fields.filter((f) => !(f in MUTATION_SCOPES)), []);
  });

  it('a read-only key reads but changes nothing; a runs key starts runs; unknown scopes are refused', async () => {
    const readOnly = (await mint(['read'])).createApiKey.secret as string;
    assert.ok((await ok(h.server, readOnly, '{ projects { totalCount } }')).projects.totalCount >= 1);
    const refused = await gql(h.server, readOnly, `mutation { createProject(input: { name: "nope" }) { project { id } } }`);
    assert.equal(refused.body.errors?.[0]?.extensions?.code, 'FORBIDDEN', JSON.stringify(refused.body));
    assert.match(refused.body.errors?.[0]?.message ?? '', /"write" scope/);
    const runsOnly = (await mint(['runs'])).createApiKey.secret as string;
    const query = await gql(h.server, runsOnly, '{ projects { totalCount } }');
    assert.equal(query.body.errors?.[0]?.extensions?.code, 'FORBIDDEN');
    const cancel = await gql(h.server, runsOnly, `mutation($input: RunIdInput!) { cancelRun(input: $input) { userErrors { code } } }`, { input: { runId: runGlobalId } });
    assert.equal(cancel.body.errors, undefined, JSON.stringify(cancel.body));
    // Subscriptions need read too.
    const client = wsClient(h.server, runsOnly);
    await assert.rejects(collect(client, EVENTS, { runId: runGlobalId }).done, /lacks the .{0,3}read.{0,3} scope/);
    await client.dispose();
    const bad = await mint(['read', 'superuser']);
    assert.equal(bad.createApiKey.userErrors[0]?.code, 'INVALID_INPUT');
  });

  it('a scoped admin key cannot mint a key that may do more than itself', async () => {
    const adminOnly = (await mint(['admin'])).createApiKey.secret as string;
    assert.equal((await mint([], adminOnly)).createApiKey.userErrors[0]?.code, 'FORBIDDEN');
    assert.equal((await mint(['admin', 'deploy'], adminOnly)).createApiKey.userErrors[0]?.code, 'FORBIDDEN');
    assert.deepEqual((await mint(['admin'], adminOnly)).createApiKey.userErrors, []);
  });
});

describe('Int arguments', () => {
  it('out-of-range values are client errors (400), not stored or 500', async () => {
    const huge = await gql(h.server, h.a.ownerKey, `mutation { createUpload(input: { purpose: MODEL, filename: "x.zip", bytes: 2147483648, sha256: "${'0'.repeat(64)}" }) { upload { id } } }`);
    assert.equal(huge.status, 400);
    const negative = await gql(h.server, h.a.ownerKey, '{ projects(first: -1) { totalCount } }');
    assert.equal(negative.status, 400);
    const zero = await ok(h.server, h.a.ownerKey, `mutation($input: CreateUploadInput!) { createUpload(input: $input) { userErrors { code } } }`, { input: { purpose: 'MODEL', filename: 'x.zip', bytes: 0, sha256: '0'.repeat(64) } });
    assert.equal(zero.createUpload.userErrors[0]?.code, 'INVALID_INPUT');
    assert.throws(() => loadConfig({ CONDENSE_MAX_UPLOAD_BYTES: String(2 ** 31) }), /CONDENSE_MAX_UPLOAD_BYTES: must be at most 2147483647/);
  });
});

describe('archived projects (last: archives the shared project)', () => {
  it('their channels answer 404 on the app endpoint', async () => {
    const bytes = new TextEncoder().encode('TFL3-archived-project-model');
    await openBlobStore({ dataDir: h.dataDir }).put(bytes);
    const candidateId = await withTenant(h.database.db, h.a.orgId, (trx) => insertCandidate(trx, { orgId: h.a.orgId, runId }, {
      key: 'archived', target: 'cpu-int8', chain: [], ok: true, accuracy: 0.9, bytes: bytes.length, tfliteSha256: sha256(bytes), fits: true,
    }));
    const published = await ok(h.server, h.a.ownerKey, `mutation($input: PublishCandidateInput!) { publishCandidate(input: $input) { deployment { id } userErrors { code message } } }`,
      { input: { candidateId: toGlobalIdOf('Candidate', candidateId), channel: 'production' } });
    assert.deepEqual(published.publishCandidate.userErrors, []);
    const appKey = (await ok(h.server, h.a.ownerKey, `mutation($input: CreateAppKeyInput!) { createAppKey(input: $input) { secret } }`, { input: { projectId, name: 'app' } })).createAppKey.secret;
    const url = `${h.server.url}/v1/projects/${projectId}/channels/production/model`;
    assert.equal((await fetch(url, { headers: { authorization: `Bearer ${appKey}` } })).status, 200);
    await ok(h.server, h.a.ownerKey, `mutation($input: ArchiveProjectInput!) { archiveProject(input: $input) { project { archivedAt } } }`, { input: { projectId } });
    const gone = await fetch(url, { headers: { authorization: `Bearer ${appKey}` } });
    assert.equal(gone.status, 404);
  });
});
