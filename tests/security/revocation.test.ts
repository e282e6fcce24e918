// Regression tests for #12 (M1 and "download URLs die with their key"): revoking an API key ends
// the subscriptions opened with it on every API process within a second (NOTIFY), and the
// download URLs it minted stop working.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { keyOf } from '../../services/api/ids.ts';
import { createServer, type ApiServer } from '../../services/api/server.ts';
import { openBlobStore } from '../../services/blob/index.ts';
import { loadConfig } from '../../services/config.ts';
import { withTenant } from '../../services/db/tenant.ts';
import { appendRunEvent } from '../../services/events/index.ts';
import { insertCandidate } from '../../services/runs-store/index.ts';
import { START_RUN, collect, memberKey, ok, seedProject, sha256, startHarness, wsClient, type Harness } from '../api/harness.ts';

const REVOKE = `mutation($input: RevokeApiKeyInput!) { revokeApiKey(input: $input) { apiKey { id } userErrors { code message } } }`;
const EVENTS = 'subscription($runId: ID!) { runEvents(runId: $runId) { sequence } }';

describe('a revoked API key', () => {
  let h: Harness;
  let second: ApiServer;
  let runId: string;
  let runGlobalId: string;
  before(async () => {
    h = await startHarness({ rateLimit: false });
    const config = loadConfig({ CONDENSE_DATA_DIR: h.dataDir, CONDENSE_SIGNING_SECRET: 's'.repeat(48), NODE_ENV: 'test' });
    second = await createServer({ database: h.database, config, port: 0, host: '127.0.0.1', log: () => undefined, rateLimit: false });
    const seeded = await seedProject(h, h.a);
    const run = (await ok(h.server, h.a.ownerKey, START_RUN, { input: { modelVersionId: seeded.modelVersionId, datasetId: seeded.datasetId, targets: ['cpu-int8'] } })).startRun.run;
    runGlobalId = run.id;
    runId = keyOf(run.id, 'CompressionRun')!;
  });
  after(async () => {
    await second?.close();
    await h?.close();
  });

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
