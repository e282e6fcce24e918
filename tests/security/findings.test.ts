// Regression tests for the findings of #12 fixed here: limit errors are 4xx, documents are
// capped in tokens before validation, unauthenticated requests are rate limited per address,
// and admins cannot revoke owners' API keys.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { withTenant } from '../../services/db/tenant.ts';
import { toGlobalId } from '../../services/api/ids.ts';
import { gql, memberKey, startHarness, type Harness } from '../api/harness.ts';

const REVOKE = `mutation($input: RevokeApiKeyInput!) { revokeApiKey(input: $input) { apiKey { id } userErrors { code message } } }`;

describe('limits', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({
      limits: { maxCost: 3000 },
      rateLimit: { capacity: 1000, refillPerSecond: 100 },
      anonymousRateLimit: { capacity: 3, refillPerSecond: 0.001 },
    });
  });
  after(() => h?.close());

  it('answers QUERY_TOO_COMPLEX with HTTP 400, not 500', async () => {
    const costly = await gql(h.server, h.a.ownerKey, '{ projects(first: 100) { edges { node { runs(first: 100) { totalCount } } } } }');
    assert.equal(costly.body.errors?.[0]?.extensions?.code, 'QUERY_TOO_COMPLEX');
    assert.equal(costly.status, 400);
  });

  it('stops parsing a document past the token limit', async () => {
    const many = await gql(h.server, h.a.ownerKey, `{ ${'__typename '.repeat(6000)} }`);
    assert.equal(many.status, 400);
    assert.match(many.body.errors?.[0]?.message ?? '', /more tha[nt] 5000 tokens/);
  });

  it('rate limits unauthenticated requests per address before parsing, not keyed ones', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await gql(h.server, null, `{ ${'__typename '.repeat(100)} }`)).status);
    assert.deepEqual(statuses.slice(3), [429, 429], `statuses ${statuses}`);
    const limited = await gql(h.server, null, '{ __typename }');
    assert.equal(limited.body.errors?.[0]?.extensions?.code, 'RATE_LIMITED');
    assert.equal((await gql(h.server, h.a.ownerKey, '{ __typename }')).status, 200);
  });
});

describe('owner keys', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(() => h?.close());

  const keyIdOf = (role: string) => withTenant(h.database.db, h.a.orgId, async (trx) =>
    (await trx.selectFrom('api_keys as k').innerJoin('memberships as m', (join) => join.onRef('m.user_id', '=', 'k.user_id').onRef('m.org_id', '=', 'k.org_id'))
      .select('k.id').where('m.role', '=', role as 'owner').where('k.revoked_at', 'is', null).executeTakeFirstOrThrow()).id);

  it('an admin cannot revoke an owner\'s key; an owner can revoke an admin\'s', async () => {
    const adminKey = await memberKey(h, h.a, 'admin', 'admin@org-a.test');
    const ownerKeyId = toGlobalId('ApiKey', await keyIdOf('owner'));
    const refused = await gql(h.server, adminKey, REVOKE, { input: { apiKeyId: ownerKeyId } });
    assert.equal(refused.body.data?.revokeApiKey.userErrors[0]?.code, 'FORBIDDEN', JSON.stringify(refused.body));
    assert.equal((await gql(h.server, h.a.ownerKey, '{ __typename }')).status, 200, 'the owner key still works');
    const adminKeyId = toGlobalId('ApiKey', await keyIdOf('admin'));
    const revoked = await gql(h.server, h.a.ownerKey, REVOKE, { input: { apiKeyId: adminKeyId } });
    assert.deepEqual(revoked.body.data?.revokeApiKey.userErrors, []);
  });
});
