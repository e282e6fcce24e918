// Channel rollouts through the API and the app endpoint: weighted split with stable buckets,
// targeting, instant rollback, audit, validation; the model client sends the device headers.
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { getModel, MemoryModelCache } from '@condense/model-client';
import { withTenant } from '../../services/db/tenant.ts';
import { gql, ok } from './harness.ts';
import { startPublished, type Published } from '../model-client/published.ts';

const SET = `mutation($input: SetChannelRolloutInput!) { setChannelRollout(input: $input) { rollout { id isRollback rules { conditions { platforms appVersions deviceClasses } splits { candidateId weight } } } userErrors { code field message } } }`;
const ROLLBACK = `mutation($input: RollbackChannelRolloutInput!) { rollbackChannelRollout(input: $input) { rollout { id isRollback rules { splits { candidateId weight } } } userErrors { code message } } }`;

let p: Published;
let oldModel: Awaited<ReturnType<Published['addCandidate']>>;
let newModel: Awaited<ReturnType<Published['addCandidate']>>;
before(async () => {
  p = await startPublished();
  oldModel = await p.addCandidate('old');
  newModel = await p.addCandidate('new');
  await p.publish(oldModel.id);
});
after(async () => p?.h.close());

const etagFor = async (installId: string, headers: Record<string, string> = {}) => {
  const res = await fetch(`${p.h.server.url}/v1/projects/${p.projectId}/channels/production/model`, {
    method: 'GET', headers: { authorization: `Bearer ${p.appKey}`, 'x-condense-install-id': installId, 'if-none-match': '"x"', ...headers },
  });
  await res.arrayBuffer();
  assert.equal(res.status, 200);
  return res.headers.get('etag')!.slice(1, -1);
};
const set = async (rules: unknown[]) => (await ok(p.h.server, p.h.a.ownerKey, SET, { input: { projectId: p.projectId, channel: 'production', rules } })).setChannelRollout;

it('a 50 % split serves both models, each install always the same one', async () => {
  const payload = await set([{ splits: [{ candidateId: newModel.id, weight: 50 }, { candidateId: oldModel.id, weight: 50 }] }]);
  assert.deepEqual(payload.userErrors, []);
  const installs = Array.from({ length: 60 }, (_, i) => `install-${i}`);
  const first = await Promise.all(installs.map((id) => etagFor(id)));
  const second = await Promise.all(installs.map((id) => etagFor(id)));
  assert.deepEqual(second, first);
  const onNew = first.filter((sha) => sha === newModel.sha256).length;
  assert.ok(onNew > 10 && onNew < 50, `${onNew}/60 on the new model`);
  assert.ok(first.every((sha) => sha === newModel.sha256 || sha === oldModel.sha256));
});

it('targets by platform and app version; others keep the latest deployment; the client sends the headers', async () => {
  await set([{ conditions: { platforms: ['ios'], appVersions: '>=3.2.0' }, splits: [{ candidateId: newModel.id, weight: 100 }] }]);
  assert.equal(await etagFor('a', { 'x-condense-platform': 'ios', 'x-condense-app-version': '3.2.1' }), newModel.sha256);
  assert.equal(await etagFor('a', { 'x-condense-platform': 'ios', 'x-condense-app-version': '3.1.0' }), oldModel.sha256);
  assert.equal(await etagFor('a', { 'x-condense-platform': 'android', 'x-condense-app-version': '9.0.0' }), oldModel.sha256);
  const base = { endpoint: p.h.server.url, projectId: p.projectId, channel: 'production', appKey: p.appKey, cache: new MemoryModelCache() };
  assert.equal((await getModel({ ...base, device: { installId: 'i1', platform: 'ios', appVersion: '3.4.0' } })).sha256, newModel.sha256);
  assert.equal((await getModel({ ...base, cache: new MemoryModelCache(), device: { installId: 'i1', platform: 'android', appVersion: '3.4.0' } })).sha256, oldModel.sha256);
});

it('rolls back instantly to the previous rules, and audits every change', async () => {
  await set([{ splits: [{ candidateId: newModel.id, weight: 100 }] }]);
  assert.equal(await etagFor('z'), newModel.sha256);
  const back = (await ok(p.h.server, p.h.a.ownerKey, ROLLBACK, { input: { projectId: p.projectId, channel: 'production' } })).rollbackChannelRollout;
  assert.equal(back.rollout.isRollback, true);
  assert.equal(await etagFor('z', { 'x-condense-platform': 'android' }), oldModel.sha256, 'the iOS-only rule is back in force');
  const current = await ok(p.h.server, p.h.a.ownerKey, `query($id: ID!) { node(id: $id) { ... on Project { channelRollout(channel: "production") { id isRollback rules { conditions { platforms } } } } } }`, { id: p.projectId });
  assert.equal(current.node.channelRollout.id, back.rollout.id);
  assert.deepEqual(current.node.channelRollout.rules[0].conditions.platforms, ['ios']);
  const audit = await withTenant(p.h.database.db, p.h.a.orgId, (trx) => trx.selectFrom('audit_log').select('action').where('action', 'like', 'rollout.%').execute());
  assert.deepEqual(audit.map((a) => a.action).sort(), ['rollout.rollback', 'rollout.set', 'rollout.set', 'rollout.set']);
});

it('rejects bad rules with user errors and changes nothing', async () => {
  const bad = await set([{ splits: [{ candidateId: newModel.id, weight: 60 }, { candidateId: oldModel.id, weight: 50 }] }]);
  assert.equal(bad.userErrors[0].code, 'INVALID_INPUT');
  assert.match(bad.userErrors[0].message, /sum to 100/);
  const foreign = await set([{ splits: [{ candidateId: 'Q2FuZGlkYXRlOjAwMDAwMDAwLTAwMDAtNDAwMC04MDAwLTAwMDAwMDAwMDAwMA==', weight: 100 }] }]);
  assert.equal(foreign.userErrors[0].code, 'INVALID_INPUT');
  // One channel-name rule for rollouts and publishing.
  const badName = (await ok(p.h.server, p.h.a.ownerKey, SET, { input: { projectId: p.projectId, channel: 'Prod uction', rules: [] } })).setChannelRollout;
  assert.deepEqual(badName.userErrors.map((e: { code: string; field: string[] }) => [e.code, e.field]), [['INVALID_INPUT', ['input', 'channel']]]);
  await assert.rejects(p.publish(newModel.id, 'Prod uction'), /INVALID_INPUT.*lower-case letters/);
  const viewer = await gql(p.h.server, null, SET, { input: { projectId: p.projectId, channel: 'production', rules: [] } });
  assert.ok(viewer.body.errors?.length);
});
