// createOrganization: operator-token auth, ADMIN_DISABLED without a token, duplicate slugs as
// userErrors, an audit row in the new organization, and a working owner key.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { withTenant } from '../../services/db/tenant.ts';
import { gql, ok, startHarness, type Harness } from '../api/harness.ts';

const CREATE_ORG = `mutation($input: CreateOrganizationInput!) { createOrganization(input: $input) {
  organization { id name slug } apiKey { id prefix name } secret userErrors { code field message } } }`;
const TOKEN = 'operator-token-'.padEnd(48, 'x');
const input = (slug: string) => ({ input: { name: `Org ${slug}`, slug, ownerEmail: `owner@${slug}.test`, ownerName: 'Owner' } });

describe('createOrganization with CONDENSE_ADMIN_TOKEN set', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({}, { CONDENSE_ADMIN_TOKEN: TOKEN });
  });
  after(async () => h?.close());

  it('creates the org, its owner and a first key that works, with an audit row in the new org', async () => {
    const data = await ok(h.server, TOKEN, CREATE_ORG, input('acme'));
    const payload = data.createOrganization;
    assert.deepEqual(payload.userErrors, []);
    assert.equal(payload.organization.slug, 'acme');
    assert.match(payload.secret, /^cnd_[A-Za-z0-9]{40}$/);
    assert.ok(payload.secret.startsWith(payload.apiKey.prefix));
    const viewer = await ok(h.server, payload.secret, '{ viewer { role organization { id slug } member { email } } }');
    assert.equal(viewer.viewer.role, 'OWNER');
    assert.equal(viewer.viewer.organization.id, payload.organization.id);
    assert.equal(viewer.viewer.member.email, 'owner@acme.test');

    const orgId = (await h.database.db.selectFrom('organizations').select('id').where('slug', '=', 'acme').executeTakeFirstOrThrow()).id;
    const rows = await withTenant(h.database.db, orgId, (trx) => trx.selectFrom('audit_log').select(['action', 'target_id']).execute());
    assert.deepEqual(rows, [{ action: 'organization.bootstrap', target_id: orgId }]);
  });

  it('answers a duplicate or invalid slug with a userError', async () => {
    const dup = (await ok(h.server, TOKEN, CREATE_ORG, input('org-a'))).createOrganization;
    assert.equal(dup.organization, null);
    assert.equal(dup.secret, null);
    assert.deepEqual(dup.userErrors, [{ code: 'ALREADY_EXISTS', field: ['input', 'slug'], message: 'organization slug "org-a" is already taken' }]);
    const bad = (await ok(h.server, TOKEN, CREATE_ORG, input('Not A Slug'))).createOrganization;
    assert.equal(bad.userErrors[0].code, 'INVALID_INPUT');
    assert.match(bad.userErrors[0].message, /slug/);
  });

  it('refuses anonymous callers, wrong tokens and API keys', async () => {
    const anon = await gql(h.server, null, CREATE_ORG, input('anon-org'));
    assert.equal(anon.body.errors?.[0]?.extensions?.code, 'UNAUTHENTICATED');
    const wrong = await gql(h.server, `${TOKEN}y`, CREATE_ORG, input('wrong-org'));
    assert.equal(wrong.status, 401);
    assert.equal(wrong.body.errors?.[0]?.extensions?.code, 'UNAUTHENTICATED');
    const owner = await gql(h.server, h.a.ownerKey, CREATE_ORG, input('key-org'));
    assert.equal(owner.body.errors?.[0]?.extensions?.code, 'FORBIDDEN');
    const count = await h.database.db.selectFrom('organizations').select((eb) => eb.fn.countAll<string>().as('n'))
      .where('slug', 'in', ['anon-org', 'wrong-org', 'key-org']).executeTakeFirstOrThrow();
    assert.equal(Number(count.n), 0);
  });

  it('does not let the operator token act as an API key', async () => {
    const res = await gql(h.server, TOKEN, '{ viewer { role } }');
    assert.equal(res.body.errors?.[0]?.extensions?.code, 'UNAUTHENTICATED');
  });
});

describe('createOrganization without CONDENSE_ADMIN_TOKEN', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(async () => h?.close());

  it('answers ADMIN_DISABLED whoever asks', async () => {
    for (const key of [null, h.a.ownerKey]) {
      const data = (await gql(h.server, key, CREATE_ORG, input('nope'))).body.data!;
      assert.equal(data.createOrganization.organization, null);
      assert.equal(data.createOrganization.userErrors[0].code, 'ADMIN_DISABLED');
    }
  });
});
