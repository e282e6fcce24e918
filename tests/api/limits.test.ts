// Limits on HTTP and WebSocket, production hardening, the committed SDL, and graphql-http's audits.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { serverAudits } from 'graphql-http';
import { isObjectType, isInterfaceType, isInputObjectType, isEnumType } from 'graphql';
import { buildApiSchema } from '../../services/api/schema.ts';
import { SCHEMA_FILE, printApiSchema } from '../../schema/print.ts';
import { collect, gql, ok, startHarness, wsClient, type Harness } from './harness.ts';


/** node { ... on CompressionRun { project { runs { edges { node { project { runs ... } } } } } } } nested n times. */
function nested(n: number): string {
  let inner = 'id';
  for (let i = 0; i < n; i++) inner = `project { runs(first: 1) { edges { node { ${inner} } } } }`;
  return `query { node(id: "x") { ... on CompressionRun { ${inner} } } }`;
}

describe('limits', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ limits: { maxDepth: 8, maxCost: 3000, maxAliases: 10, maxBodyBytes: 20_000 }, rateLimit: { capacity: 40, refillPerSecond: 1 } });
  });
  after(async () => h?.close());

  it('reports the cost of accepted operations in extensions', async () => {
    const res = await gql(h.server, h.a.ownerKey, '{ projects(first: 10) { edges { node { name } } } }');
    assert.equal(res.status, 200);
    // Each field costs 1; a connection multiplies its selection (edges → node → name = 3) by `first`.
    assert.deepEqual(res.body.extensions?.cost, { requested: 1 + 10 * 3, maximum: 3000 });
  });

  it('refuses too deep, too costly, alias-flooded and oversized operations, the same over WebSocket', async () => {
    const tooDeep = await gql(h.server, h.a.ownerKey, nested(3));
    assert.match(tooDeep.body.errors?.[0]?.message ?? '', /query depth \d+ exceeds the limit of 8/);
    assert.equal(tooDeep.body.data, undefined);
    const costly = await gql(h.server, h.a.ownerKey, '{ projects(first: 100) { edges { node { runs(first: 100) { totalCount } } } } }');
    assert.equal(costly.body.errors?.[0]?.extensions?.code, 'QUERY_TOO_COMPLEX');
    assert.ok(costly.body.errors?.[0]?.extensions?.cost.requested > 3000);
    const aliases = Array.from({ length: 11 }, (_, i) => `a${i}: viewer { role }`).join(' ');
    const flooded = await gql(h.server, h.a.ownerKey, `{ ${aliases} }`);
    assert.match(flooded.body.errors?.[0]?.message ?? '', /more than 10 aliases/);
    const oversized = await gql(h.server, h.a.ownerKey, `{ viewer { role } } # ${'x'.repeat(30_000)}`);
    assert.equal(oversized.status, 413);
    assert.equal(oversized.body.errors?.[0]?.extensions?.code, 'PAYLOAD_TOO_LARGE');

    const client = wsClient(h.server, h.a.ownerKey);
    const wsDeep = await collect(client, nested(3), {}).done.catch((e) => e);
    assert.match(String(wsDeep.message), /query depth \d+ exceeds the limit of 8/);
    const wsAliases = await collect(client, `subscription { ${Array.from({ length: 11 }, (_, i) => `e${i}: runEvents(runId: "x") { sequence }`).join(' ')} }`, {}).done.catch((e) => e);
    assert.match(String(wsAliases.message), /more than 10 aliases/);
    const wsCostly = await collect(client, '{ projects(first: 100) { edges { node { runs(first: 100) { totalCount } } } } }', {}).done.catch((e) => e);
    assert.match(String(wsCostly.message), /query cost \d+ exceeds the limit of 3000/);
    await client.dispose();
    // An oversized WebSocket message closes that connection (1009) instead of being parsed.
    const big = await collect(wsClient(h.server, h.a.ownerKey), `subscription { runEvents(runId: "x") { sequence } } # ${'x'.repeat(30_000)}`, {}).done.catch((e) => e);
    assert.ok(!Array.isArray(big), 'an oversized message must not be executed');
    const negative = await gql(h.server, h.a.ownerKey, '{ projects(first: -1) { totalCount } }');
    assert.equal(negative.body.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT');
  });

  it('rate-limits per organization with a clear error, without touching the other org', async () => {
    let limited: Awaited<ReturnType<typeof gql>> | undefined;
    for (let i = 0; i < 60 && !limited; i++) {
      const res = await gql(h.server, h.a.ownerKey, '{ viewer { role } }');
      if (res.status === 429) limited = res;
    }
    assert.ok(limited, 'expected a 429 within 60 requests');
    assert.equal(limited.body.errors?.[0]?.extensions?.code, 'RATE_LIMITED');
    assert.match(limited.body.errors![0]!.message, /rate limit reached for this organization; retry in \d+ s/);
    assert.equal((await gql(h.server, h.b.ownerKey, '{ viewer { role } }')).status, 200);
  });
});

describe('production hardening', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({}, { NODE_ENV: 'production' });
  });
  after(async () => h?.close());

  it('turns introspection and field suggestions off and never sends stack traces', async () => {
    const intro = await gql(h.server, h.a.ownerKey, '{ __schema { types { name } } }');
    assert.ok(intro.body.errors?.length);
    const typo = await gql(h.server, h.a.ownerKey, '{ viewr { role } }');
    assert.ok(typo.body.errors?.length);
    assert.doesNotMatch(JSON.stringify(typo.body), /Did you mean/);
    const bad = await gql(h.server, h.a.ownerKey, 'query($id: ID!) { node(id: $id) { id } }', { id: { not: 'an id' } });
    assert.doesNotMatch(JSON.stringify(bad.body), /stacktrace|\bat .*\.ts:\d+/);
    assert.equal(bad.status, 400);
    assert.equal(bad.body.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT');
    assert.equal((await ok(h.server, h.a.ownerKey, '{ viewer { role } }')).viewer.role, 'OWNER');
    // The same over WebSocket.
    const client = wsClient(h.server, h.a.ownerKey);
    const wsTypo = await collect(client, 'subscription { runEvent(runId: "x") { sequence } }', {}).done.catch((e) => e);
    assert.match(String(wsTypo.message), /Cannot query field .{0,3}runEvent/);
    assert.doesNotMatch(String(wsTypo.message), /Did you mean/);
    const wsIntro = await collect(client, '{ __schema { types { name } } }', {}).done.catch((e) => e);
    assert.match(String(wsIntro.message), /introspection/i);
    await client.dispose();
  });
});

describe('schema and protocol', () => {
  it('the committed SDL matches the code (update with `npx tsx schema/print.ts`)', async () => {
    const printed = await printApiSchema();
    const committed = readFileSync(SCHEMA_FILE, 'utf8');
    if (printed !== committed) {
      const a = committed.split('\n');
      const b = printed.split('\n');
      const line = a.findIndex((l, i) => l !== b[i]);
      assert.fail(`schema/schema.graphql is out of date at line ${line + 1}:\n- ${a[line]}\n+ ${b[line]}\nRun: npx tsx schema/print.ts`);
    }
  });

  it('describes every type, field, argument and input field', async () => {
    const schema = await buildApiSchema();
    const missing: string[] = [];
    for (const type of Object.values(schema.getTypeMap())) {
      if (type.name.startsWith('__')) continue;
      if (!type.description) missing.push(type.name);
      if (isObjectType(type) || isInterfaceType(type) || isInputObjectType(type)) {
        for (const field of Object.values(type.getFields())) {
          if (!field.description) missing.push(`${type.name}.${field.name}`);
          for (const arg of 'args' in field ? field.args : []) if (!arg.description) missing.push(`${type.name}.${field.name}(${arg.name})`);
        }
      }
      if (isEnumType(type)) void type;
    }
    // Built-in scalars and the root operation types (generated by type-graphql) carry no description.
    const builtIn = ['Boolean', 'String', 'Int', 'Float', 'ID', 'Query', 'Mutation', 'Subscription'];
    assert.deepEqual(missing.filter((m) => !builtIn.includes(m)), []);
  });

  it('passes graphql-http\'s GraphQL-over-HTTP audits with no error', async () => {
    const h = await startHarness();
    try {
      const results = await Promise.all(
        serverAudits({
          url: h.server.graphqlUrl,
          fetchFn: (input: any, init: any) => fetch(input, { ...init, headers: { ...(init?.headers ?? {}), authorization: `Bearer ${h.a.ownerKey}` } }),
        }).map((audit) => audit.fn()),
      );
      const errors = results.filter((r) => r.status === 'error');
      assert.deepEqual(errors.map((r) => `${r.name}: ${'reason' in r ? String(r.reason) : ''}`), []);
    } finally {
      await h.close();
    }
  });
});
