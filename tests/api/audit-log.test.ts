// Organization.auditLog: admins read their organization's audited changes, newest first, with who
// made them; members are refused; another organization's entries never show.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CREATE_PROJECT, gql, memberKey, ok, startHarness, type Harness } from './harness.ts';

const AUDIT = `{ viewer { organization { auditLog(first: 10) { totalCount edges { node {
  action actorName actorEmail actorKeyName targetType targetId details createdAt } } } } } }`;

describe('audit log', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(() => h?.close());

  it('shows admins what changed, newest first, with the member and key who did it', async () => {
    await ok(h.server, h.a.ownerKey, CREATE_PROJECT, { input: { name: 'audited one' } });
    await memberKey(h, h.a, 'member', 'mia@org-a.test');
    await ok(h.server, h.a.ownerKey, CREATE_PROJECT, { input: { name: 'audited two' } });
    const log = (await ok(h.server, h.a.ownerKey, AUDIT)).viewer.organization.auditLog;
    const entries = log.edges.map((e: { node: Record<string, any> }) => e.node);
    const projects = entries.filter((e: { action: string }) => e.action === 'project.create');
    assert.equal(projects.length, 2);
    assert.deepEqual(projects.map((e: { details: { name?: string } }) => e.details.name), ['audited two', 'audited one'], 'newest first');
    assert.equal(projects[0].actorEmail, 'owner@org-a.test');
    assert.ok(projects[0].actorKeyName, 'the key the change was made with');
    assert.equal(projects[0].targetType, 'project');
    const times = entries.map((e: { createdAt: string }) => Date.parse(e.createdAt));
    assert.deepEqual(times, [...times].sort((a, b) => b - a));
    assert.ok(log.totalCount >= entries.length);
  });

  it('refuses members, and shows another organization none of it', async () => {
    const member = await memberKey(h, h.a, 'member', 'max@org-a.test');
    const refused = await gql(h.server, member, AUDIT);
    assert.equal(refused.body.errors?.[0]?.extensions?.code, 'FORBIDDEN');
    const other = (await ok(h.server, h.b.ownerKey, AUDIT)).viewer.organization.auditLog;
    const names = JSON.stringify(other.edges);
    assert.ok(!names.includes('audited one') && !names.includes('owner@org-a.test'), names);
  });
});
