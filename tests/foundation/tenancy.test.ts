// Organizations, members and API keys through the public tenancy functions.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { withSystem, withTenant } from '../../services/db/tenant.ts';
import {
  addMember,
  bootstrapOrganization,
  createApiKey,
  hashApiKeySecret,
  listApiKeys,
  recordAudit,
  removeMember,
  revokeApiKey,
  TenancyError,
  verifyApiKey,
  type BootstrapResult,
} from '../../services/tenancy/index.ts';
import { createTestDatabase, type Database } from '../helpers/database.ts';

describe('tenancy', () => {
  let database: Database;
  let acme: BootstrapResult;
  let globex: BootstrapResult;

  before(async () => {
    database = await createTestDatabase();
    acme = await bootstrapOrganization(database.db, { name: 'Acme', slug: 'acme', ownerEmail: 'Ann@Acme.test', ownerName: 'Ann' });
    globex = await bootstrapOrganization(database.db, { name: 'Globex', slug: 'globex', ownerEmail: 'hank@globex.test', ownerName: 'Hank' });
  });
  after(() => database?.close());

  test('bootstrap creates the org, its owner and a working first key', async () => {
    assert.equal(acme.organization.slug, 'acme');
    assert.equal(acme.owner.email, 'ann@acme.test');
    assert.match(acme.apiKey.secret, /^cnd_[A-Za-z0-9]{40}$/);
    assert.equal(acme.apiKey.key.prefix, acme.apiKey.secret.slice(0, 12));
    const verified = await verifyApiKey(database.db, acme.apiKey.secret);
    assert.deepEqual(verified, {
      keyId: acme.apiKey.key.id,
      orgId: acme.organization.id,
      userId: acme.owner.id,
      role: 'owner',
      scopes: [],
    });
    const audit = await withTenant(database.db, acme.organization.id, (trx) => trx.selectFrom('audit_log').select('action').execute());
    assert.deepEqual(audit, [{ action: 'organization.bootstrap' }]);
  });

  test('bootstrap rejects a taken slug and bad input with one clear line', async () => {
    const input = { name: 'Acme 2', slug: 'acme', ownerEmail: 'x@y.test', ownerName: 'X' };
    await assert.rejects(bootstrapOrganization(database.db, input), new TenancyError('organization slug "acme" is already taken'));
    await assert.rejects(bootstrapOrganization(database.db, { ...input, slug: 'Bad Slug' }), /invalid organization slug "Bad Slug"/);
    await assert.rejects(bootstrapOrganization(database.db, { ...input, slug: 'fine', ownerEmail: 'nope' }), /invalid e-mail address/);
    const orgs = await withSystem(database.db, (trx) => trx.selectFrom('organizations').select('slug').orderBy('slug').execute());
    assert.deepEqual(orgs, [{ slug: 'acme' }, { slug: 'globex' }], 'a failed bootstrap leaves nothing behind');
  });

  test('the secret is stored only as its SHA-256', async () => {
    const rows = await withSystem(database.db, (trx) => trx.selectFrom('api_keys').selectAll().execute());
    const stored = JSON.stringify(rows);
    assert.ok(!stored.includes(acme.apiKey.secret));
    assert.ok(rows.some((r) => r.secret_hash === hashApiKeySecret(acme.apiKey.secret)));
  });

  test('create, verify (stamping last_used_at), revoke', async () => {
    const orgId = acme.organization.id;
    const created = await withTenant(database.db, orgId, (trx) =>
      createApiKey(trx, { orgId, userId: acme.owner.id, name: 'ci', scopes: ['runs:write'] }),
    );
    assert.equal(created.key.lastUsedAt, null);
    const before = Date.now();
    const verified = await verifyApiKey(database.db, created.secret);
    assert.equal(verified?.keyId, created.key.id);
    assert.deepEqual(verified?.scopes, ['runs:write']);
    const listed = await withTenant(database.db, orgId, (trx) => listApiKeys(trx));
    const ci = listed.find((k) => k.id === created.key.id);
    assert.ok(ci?.lastUsedAt && ci.lastUsedAt.getTime() >= before - 1000, 'last_used_at was stamped');
    assert.ok(listed.every((k) => !('secret' in k) && !('secretHash' in k)));

    assert.equal(await withTenant(database.db, orgId, (trx) => revokeApiKey(trx, created.key.id)), true);
    assert.equal(await verifyApiKey(database.db, created.secret), null, 'a revoked key no longer verifies');
    assert.equal(await withTenant(database.db, orgId, (trx) => revokeApiKey(trx, created.key.id)), false, 'revoking twice');
  });

  test('unknown, malformed and expired keys do not verify', async () => {
    assert.equal(await verifyApiKey(database.db, 'cnd_' + 'A'.repeat(40)), null);
    assert.equal(await verifyApiKey(database.db, 'Bearer nonsense'), null);
    assert.equal(await verifyApiKey(database.db, ''), null);
    const orgId = acme.organization.id;
    const expired = await withTenant(database.db, orgId, (trx) =>
      createApiKey(trx, { orgId, userId: acme.owner.id, name: 'old', expiresAt: new Date(Date.now() - 1000) }),
    );
    assert.equal(await verifyApiKey(database.db, expired.secret), null);
  });

  test('another org cannot revoke or mint keys for this org', async () => {
    const revoked = await withTenant(database.db, globex.organization.id, (trx) => revokeApiKey(trx, acme.apiKey.key.id));
    assert.equal(revoked, false);
    assert.notEqual(await verifyApiKey(database.db, acme.apiKey.secret), null);
    await assert.rejects(
      withTenant(database.db, globex.organization.id, (trx) =>
        createApiKey(trx, { orgId: acme.organization.id, userId: acme.owner.id, name: 'sneaky' }),
      ),
      /not a member of this organization/,
    );
  });

  test('members: a key carries its holder role and dies with the membership', async () => {
    const orgId = acme.organization.id;
    const { userId } = await withTenant(database.db, orgId, (trx) =>
      addMember(trx, { orgId, email: 'Vic@Acme.test', displayName: 'Vic', role: 'viewer' }),
    );
    const key = await withTenant(database.db, orgId, (trx) => createApiKey(trx, { orgId, userId, name: 'vic' }));
    assert.equal((await verifyApiKey(database.db, key.secret))?.role, 'viewer');
    await withTenant(database.db, orgId, (trx) => addMember(trx, { orgId, email: 'vic@acme.test', role: 'admin' }));
    assert.equal((await verifyApiKey(database.db, key.secret))?.role, 'admin', 'role changes apply to existing keys');
    assert.equal(await withTenant(database.db, orgId, (trx) => removeMember(trx, userId)), true);
    assert.equal(await verifyApiKey(database.db, key.secret), null);
    await assert.rejects(
      withTenant(database.db, orgId, (trx) => addMember(trx, { orgId, email: 'x@y.test', role: 'god' as never })),
      /invalid role "god"/,
    );
  });

  test('a user belongs to several orgs with separate roles', async () => {
    const orgId = globex.organization.id;
    await withTenant(database.db, orgId, (trx) => addMember(trx, { orgId, email: 'ann@acme.test', role: 'member' }));
    const key = await withTenant(database.db, orgId, (trx) => createApiKey(trx, { orgId, userId: acme.owner.id, name: 'ann@globex' }));
    const verified = await verifyApiKey(database.db, key.secret);
    assert.deepEqual([verified?.orgId, verified?.userId, verified?.role], [orgId, acme.owner.id, 'member']);
  });

  test('recordAudit commits and rolls back with its transaction', async () => {
    const orgId = acme.organization.id;
    await withTenant(database.db, orgId, (trx) =>
      recordAudit(trx, { orgId, action: 'project.create', actorUserId: acme.owner.id, targetType: 'project', targetId: 'p1', details: { n: 1 } }),
    );
    await assert.rejects(
      withTenant(database.db, orgId, async (trx) => {
        await recordAudit(trx, { orgId, action: 'project.delete' });
        throw new Error('boom');
      }),
      /boom/,
    );
    const actions = await withTenant(database.db, orgId, (trx) =>
      trx.selectFrom('audit_log').select(['action', 'details']).where('action', 'like', 'project.%').execute(),
    );
    assert.deepEqual(actions, [{ action: 'project.create', details: { n: 1 } }]);
  });

  test('request code cannot rewrite the audit trail', async () => {
    const orgId = acme.organization.id;
    await assert.rejects(
      withTenant(database.db, orgId, (trx) => trx.deleteFrom('audit_log').execute()),
      (error: { code?: string }) => error.code === '42501',
    );
  });
});
