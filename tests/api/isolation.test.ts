// Two organizations: everything of org B is invisible to org A — queries, node ids, mutations,
// signed URLs, the app endpoint and subscriptions all answer exactly as for ids that do not exist.
// Also the role matrix: viewer reads only; member cannot manage keys or members; admin/owner can.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { withTenant } from '../../services/db/tenant.ts';
import { insertCandidate } from '../../services/runs-store/index.ts';
import { openBlobStore } from '../../services/blob/index.ts';
import { keyOf, toGlobalId } from '../../services/api/ids.ts';
import { CREATE_PROJECT, START_RUN, collect, gql, memberKey, ok, seedProject, sha256, startHarness, wsClient, type Harness } from './harness.ts';

describe('tenant isolation', () => {
  let h: Harness;
  let b: Awaited<ReturnType<typeof seedProject>> & { runId: string; candidateId: string; appSecret: string; downloadUrl: string; uploadUrl: string };
  before(async () => {
    h = await startHarness();
    await seedProject(h, h.a, 'a-project');
    const seeded = await seedProject(h, h.b, 'b-project');
    const run = (await ok(h.server, h.b.ownerKey, START_RUN, { input: { modelVersionId: seeded.modelVersionId, datasetId: seeded.datasetId, targets: ['cpu-int8'] } })).startRun.run;
    const bytes = new TextEncoder().encode('TFL3 org b model');
    await openBlobStore({ dataDir: h.dataDir }).put(bytes);
    const candidate = await withTenant(h.database.db, h.b.orgId, (trx) =>
      insertCandidate(trx, { orgId: h.b.orgId, runId: keyOf(run.id, 'CompressionRun')! }, { key: 'c', target: 'cpu-int8', chain: [], ok: true, tfliteSha256: sha256(bytes), bytes: bytes.length }),
    );
    const candidateId = toGlobalId('Candidate', candidate);
    await ok(h.server, h.b.ownerKey, `mutation($input: PublishCandidateInput!) { publishCandidate(input: $input) { userErrors { code } } }`, { input: { candidateId, channel: 'production' } });
    const appSecret = (await ok(h.server, h.b.ownerKey, `mutation($input: CreateAppKeyInput!) { createAppKey(input: $input) { secret } }`, { input: { projectId: seeded.projectId, name: 'app' } })).createAppKey.secret;
    const downloadUrl = (await ok(h.server, h.b.ownerKey, `query($id: ID!) { node(id: $id) { ... on Candidate { downloads { tflite } } } }`, { id: candidateId })).node.downloads.tflite;
    const uploadUrl = (await ok(h.server, h.b.ownerKey, `mutation { createUpload(input: { purpose: MODEL, filename: "x.zip", bytes: 3, sha256: "${sha256(new Uint8Array([1, 2, 3]))}" }) { uploadUrl } }`)).createUpload.uploadUrl;
    b = { ...seeded, runId: run.id, candidateId, appSecret, downloadUrl, uploadUrl };
  });
  after(async () => h?.close());

  it('node/nodes answer null for every id of the other org, like a random id', async () => {
    const ids = [b.projectId, b.modelVersionId, b.datasetId, b.runId, b.candidateId, toGlobalId('Organization', h.b.orgId), toGlobalId('Project', '00000000-0000-4000-8000-000000000000')];
    const data = await ok(h.server, h.a.ownerKey, `query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, { ids });
    assert.deepEqual(data.nodes, ids.map(() => null));
    for (const id of ids) assert.equal((await ok(h.server, h.a.ownerKey, `query($id: ID!) { node(id: $id) { id } }`, { id })).node, null);
    // B still sees its own.
    assert.ok((await ok(h.server, h.b.ownerKey, `query($id: ID!) { node(id: $id) { id } }`, { id: b.runId })).node);
  });

  it('lists show only the own org', async () => {
    const data = await ok(h.server, h.a.ownerKey, `{ projects { totalCount edges { node { name } } } viewer { organization { members { totalCount } apiKeys { totalCount } } } }`);
    assert.deepEqual(data.projects.edges.map((e: any) => e.node.name), ['a-project']);
    assert.equal(data.viewer.organization.members.totalCount, 1);
    assert.equal(data.viewer.organization.apiKeys.totalCount, 1);
  });

  it('every mutation given another org\'s ids answers NOT_FOUND and changes nothing', async () => {
    const m = async (name: string, inputType: string, input: Record<string, unknown>, selection = 'userErrors { code }') =>
      (await ok(h.server, h.a.ownerKey, `mutation($input: ${inputType}!) { ${name}(input: $input) { ${selection} } }`, { input }))[name].userErrors[0]?.code;
    assert.equal(await m('updateProject', 'UpdateProjectInput', { projectId: b.projectId, name: 'hijacked' }), 'NOT_FOUND');
    assert.equal(await m('archiveProject', 'ArchiveProjectInput', { projectId: b.projectId }), 'NOT_FOUND');
    assert.equal(await m('startRun', 'StartRunInput', { modelVersionId: b.modelVersionId, datasetId: b.datasetId, targets: ['cpu-int8'] }), 'NOT_FOUND');
    assert.equal(await m('cancelRun', 'RunIdInput', { runId: b.runId }), 'NOT_FOUND');
    assert.equal(await m('retryRun', 'RunIdInput', { runId: b.runId }), 'NOT_FOUND');
    assert.equal(await m('publishCandidate', 'PublishCandidateInput', { candidateId: b.candidateId, channel: 'production' }), 'NOT_FOUND');
    assert.equal(await m('rollbackDeployment', 'RollbackDeploymentInput', { projectId: b.projectId, channel: 'production' }), 'NOT_FOUND');
    assert.equal(await m('createAppKey', 'CreateAppKeyInput', { projectId: b.projectId, name: 'steal' }), 'NOT_FOUND');
    assert.equal(await m('completeModelUpload', 'CompleteModelUploadInput', { uploadId: toGlobalId('Upload', '00000000-0000-4000-8000-000000000000'), projectId: b.projectId, modelName: 'x' }), 'NOT_FOUND');
    const bOwner = (await ok(h.server, h.b.ownerKey, `{ viewer { member { id } apiKey { id } } }`)).viewer;
    assert.equal(await m('changeMemberRole', 'ChangeMemberRoleInput', { memberId: bOwner.member.id, role: 'VIEWER' }), 'NOT_FOUND');
    assert.equal(await m('removeMember', 'RemoveMemberInput', { memberId: bOwner.member.id }), 'NOT_FOUND');
    assert.equal(await m('revokeApiKey', 'RevokeApiKeyInput', { apiKeyId: bOwner.apiKey.id }), 'NOT_FOUND');
    assert.equal(await m('createApiKey', 'CreateApiKeyInput', { name: 'x', memberId: bOwner.member.id }), 'NOT_FOUND');
    // B is untouched.
    const still = await ok(h.server, h.b.ownerKey, `query($id: ID!) { node(id: $id) { ... on Project { name archivedAt } } viewer { role } }`, { id: b.projectId });
    assert.deepEqual(still, { node: { name: 'b-project', archivedAt: null }, viewer: { role: 'OWNER' } });
  });

  it('signed URLs are bound to their org and purpose', async () => {
    // A's key cannot make B's download URL; B's URL works only as a download.
    assert.equal((await fetch(b.downloadUrl)).status, 200);
    const token = b.downloadUrl.split('/downloads/')[1]!;
    assert.equal((await fetch(`${h.server.url}/uploads/x?token=${token}`, { method: 'PUT', body: 'abc' })).status, 403);
    const uploadToken = new URL(b.uploadUrl).searchParams.get('token')!;
    assert.equal((await fetch(`${h.server.url}/downloads/${uploadToken}`)).status, 403);
    // A token whose org claim is edited fails its signature.
    const [body, mac] = token.split('.');
    const claims = JSON.parse(Buffer.from(body!, 'base64url').toString());
    const forged = `${Buffer.from(JSON.stringify({ ...claims, o: h.a.orgId })).toString('base64url')}.${mac}`;
    assert.equal((await fetch(`${h.server.url}/downloads/${forged}`)).status, 403);
  });

  it('an app key only reaches its own project', async () => {
    const aProject = (await ok(h.server, h.a.ownerKey, `{ projects { edges { node { id } } } }`)).projects.edges[0].node.id;
    const mine = await fetch(`${h.server.url}/v1/projects/${b.projectId}/channels/production/model`, { headers: { authorization: `Bearer ${b.appSecret}` } });
    assert.equal(mine.status, 200);
    const other = await fetch(`${h.server.url}/v1/projects/${aProject}/channels/production/model`, { headers: { authorization: `Bearer ${b.appSecret}` } });
    const missing = await fetch(`${h.server.url}/v1/projects/${toGlobalId('Project', '00000000-0000-4000-8000-000000000000')}/channels/production/model`, { headers: { authorization: `Bearer ${b.appSecret}` } });
    assert.equal(other.status, 404);
    assert.deepEqual(await other.json(), await missing.json());
  });

  it('subscriptions to another org\'s run fail like an unknown run', async () => {
    const client = wsClient(h.server, h.a.ownerKey);
    const q = `subscription($runId: ID!) { runEvents(runId: $runId) { sequence } }`;
    const other = await collect(client, q, { runId: b.runId }).done.catch((e) => e);
    const unknown = await collect(client, q, { runId: toGlobalId('CompressionRun', '00000000-0000-4000-8000-000000000000') }).done.catch((e) => e);
    assert.match(String(other.message ?? JSON.stringify(other)), /run not found/);
    assert.equal(String(other.message ?? JSON.stringify(other)), String(unknown.message ?? JSON.stringify(unknown)));
    await client.dispose();
    // Unauthenticated and revoked keys cannot connect or subscribe.
    const anon = await collect(wsClient(h.server, null), q, { runId: b.runId }).done.catch((e) => e);
    assert.ok(anon, 'anonymous subscription must fail');
    assert.equal(Array.isArray(anon), false);
  });
});

describe('role matrix', () => {
  let h: Harness;
  const keys: Record<string, string> = {};
  before(async () => {
    h = await startHarness();
    keys.owner = h.a.ownerKey;
    keys.admin = await memberKey(h, h.a, 'admin', 'admin@a.test');
    keys.member = await memberKey(h, h.a, 'member', 'member@a.test');
    keys.viewer = await memberKey(h, h.a, 'viewer', 'viewer@a.test');
  });
  after(async () => h?.close());

  const denied = (res: { body: { errors?: { extensions?: Record<string, any> }[] } }) => res.body.errors?.[0]?.extensions?.code === 'FORBIDDEN';

  it('viewer reads only; member cannot manage keys or members; admin and owner can', async () => {
    const ops: Record<string, (i: number) => [string, Record<string, unknown>]> = {
      read: () => ['{ viewer { role } projects { totalCount } hardwareTargets { targetId } }', {}],
      createProject: (i) => [CREATE_PROJECT, { input: { name: `p${i}` } }],
      createApiKey: (i) => ['mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { secret userErrors { code } } }', { input: { name: `k${i}` } }],
      inviteMember: (i) => ['mutation($input: InviteMemberInput!) { inviteMember(input: $input) { invitation { role } userErrors { code } } }', { input: { email: `x${i}@a.test`, role: 'VIEWER' } }],
      listKeys: () => ['{ viewer { organization { apiKeys { totalCount } } } }', {}],
    };
    const expected: Record<string, Record<string, boolean>> = {
      owner: { read: true, createProject: true, createApiKey: true, inviteMember: true, listKeys: true },
      admin: { read: true, createProject: true, createApiKey: true, inviteMember: true, listKeys: true },
      member: { read: true, createProject: true, createApiKey: false, inviteMember: false, listKeys: false },
      viewer: { read: true, createProject: false, createApiKey: false, inviteMember: false, listKeys: false },
    };
    let i = 0;
    for (const [role, key] of Object.entries(keys)) {
      for (const [op, make] of Object.entries(ops)) {
        const [query, variables] = make(i++);
        const res = await gql(h.server, key, query, variables);
        const allowed = !res.body.errors;
        assert.equal(allowed, expected[role]![op], `${role} ${op}: ${JSON.stringify(res.body)}`);
        if (!allowed) assert.ok(denied(res), `${role} ${op} should be FORBIDDEN: ${JSON.stringify(res.body)}`);
      }
    }
    const viewerRun = await gql(h.server, keys.viewer!, START_RUN, { input: { modelVersionId: 'x', datasetId: 'y', targets: ['cpu-int8'] } });
    assert.ok(denied(viewerRun));
  });

  it('only owners touch owners; the last owner stays; a revoked key stops at once; audit rows are written', async () => {
    const members = (await ok(h.server, keys.owner!, `{ viewer { organization { members(first: 100) { edges { node { id email role } } } } } }`)).viewer.organization.members.edges.map((e: any) => e.node);
    const owner = members.find((m: any) => m.email === 'owner@org-a.test');
    const member = members.find((m: any) => m.email === 'member@a.test');
    const change = (key: string, memberId: string, role: string) =>
      ok(h.server, key, `mutation($input: ChangeMemberRoleInput!) { changeMemberRole(input: $input) { member { role } userErrors { code } } }`, { input: { memberId, role } });
    assert.equal((await change(keys.admin!, owner.id, 'VIEWER')).changeMemberRole.userErrors[0].code, 'FORBIDDEN');
    assert.equal((await change(keys.owner!, owner.id, 'ADMIN')).changeMemberRole.userErrors[0].code, 'LAST_OWNER');
    assert.equal((await change(keys.admin!, member.id, 'VIEWER')).changeMemberRole.member.role, 'VIEWER');
    // The member's key now acts as a viewer.
    assert.ok(denied(await gql(h.server, keys.member!, CREATE_PROJECT, { input: { name: 'after-demotion' } })));

    const created = (await ok(h.server, keys.admin!, `mutation { createApiKey(input: { name: "temp" }) { secret apiKey { id } } }`)).createApiKey;
    assert.equal((await gql(h.server, created.secret, '{ viewer { role } }')).status, 200);
    const client = wsClient(h.server, created.secret);
    await ok(h.server, keys.admin!, `mutation($input: RevokeApiKeyInput!) { revokeApiKey(input: $input) { apiKey { revokedAt } } }`, { input: { apiKeyId: created.apiKey.id } });
    assert.equal((await gql(h.server, created.secret, '{ viewer { role } }')).status, 401);
    const ws = await collect(client, `subscription { runEvents(runId: "x") { sequence } }`, {}).done.catch((e) => e);
    assert.ok(!Array.isArray(ws), 'a revoked key must not subscribe');
    await client.dispose();

    const audit = await withTenant(h.database.db, h.a.orgId, (trx) => trx.selectFrom('audit_log').select('action').execute());
    const actions = new Set(audit.map((r) => r.action));
    for (const a of ['api_key.create', 'api_key.revoke', 'member.invite', 'member.change_role']) assert.ok(actions.has(a), `audit ${a}`);
  });
});
