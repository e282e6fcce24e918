// POST /graphql with JSON goes straight from node:http to Apollo (services/api/http/graphql-route.ts);
// everything else sent to /graphql goes through express and Apollo's integration. Both paths must
// answer alike: same data and headers, the same limits and errors, authentication on both.
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { startHarness, type Harness } from './harness.ts';

interface Raw {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: any;
}

/** One request on a fresh connection, so `connection: close` answers can be seen. */
function raw(url: string, init: { method: string; headers?: Record<string, string>; body?: string | Buffer }): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: init.method, headers: init.headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let body: unknown = text;
        try {
          body = JSON.parse(text);
        } catch {
          // not JSON: keep the text
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body });
      });
    });
    req.on('error', reject);
    req.end(init.body);
  });
}

describe('POST /graphql straight to Apollo', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ limits: { maxBodyBytes: 2_000 } });
  });
  after(async () => h?.close());

  const query = '{ viewer { role organization { slug } } }';

  it('answers JSON posts like the express path answers GET, with the same headers', async () => {
    const auth = { authorization: `Bearer ${h.a.ownerKey}` };
    const post = await raw(h.server.graphqlUrl, { method: 'POST', headers: { ...auth, 'content-type': 'application/json; charset=utf-8' }, body: JSON.stringify({ query }) });
    const get = await raw(`${h.server.graphqlUrl}?query=${encodeURIComponent(query)}`, { method: 'GET', headers: { ...auth, 'apollo-require-preflight': 'true' } });
    assert.equal(post.status, 200);
    assert.deepEqual(post.body.data, { viewer: { role: 'OWNER', organization: { slug: 'org-a' } } });
    assert.equal(get.status, 200);
    assert.deepEqual(get.body.data, post.body.data);
    assert.deepEqual(get.body.extensions, post.body.extensions);
    for (const r of [post, get]) {
      assert.equal(r.headers['cache-control'], 'no-store');
      assert.match(String(r.headers['content-type']), /^application\/(graphql-response\+)?json; charset=utf-8$/);
    }
    assert.equal(Number(post.headers['content-length']), Buffer.byteLength(JSON.stringify(post.body)) + 1); // Apollo ends the JSON with a newline
  });

  it('authenticates: no key and a bad key are refused as before', async () => {
    const none = await raw(h.server.graphqlUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) });
    assert.equal(none.body.errors?.[0]?.extensions?.code, 'UNAUTHENTICATED');
    assert.equal(none.body.data?.viewer ?? null, null);
    const bad = await raw(h.server.graphqlUrl, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer cnd_nope' }, body: JSON.stringify({ query }) });
    assert.equal(bad.status, 401);
    assert.equal(bad.body.errors?.[0]?.extensions?.code, 'UNAUTHENTICATED');
  });

  it('refuses bodies over the limit (declared or streamed) with 413 and closes the connection', async () => {
    const big = JSON.stringify({ query: `${query} # ${'x'.repeat(3_000)}` });
    const declared = await raw(h.server.graphqlUrl, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${h.a.ownerKey}` }, body: big });
    assert.equal(declared.status, 413);
    assert.equal(declared.body.errors?.[0]?.extensions?.code, 'PAYLOAD_TOO_LARGE');
    assert.equal(declared.headers.connection, 'close');
    const chunked = await new Promise<Raw>((resolve, reject) => {
      const req = request(h.server.graphqlUrl, { method: 'POST', agent: false, headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) }));
      });
      req.on('error', reject);
      for (let i = 0; i < 30; i++) req.write('x'.repeat(100));
      req.end();
    });
    assert.equal(chunked.status, 413);
    assert.equal(chunked.body.errors?.[0]?.extensions?.code, 'PAYLOAD_TOO_LARGE');
  });

  it('answers 400 BAD_REQUEST for a body that is not a JSON object or array', async () => {
    for (const body of ['{"query": ', '"just a string"', '42']) {
      const res = await raw(h.server.graphqlUrl, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${h.a.ownerKey}` }, body });
      assert.equal(res.status, 400, body);
      assert.equal(res.body.errors?.[0]?.extensions?.code, 'BAD_REQUEST', body);
    }
  });

  it('leaves other content types to Apollo through express (which asks for a JSON body)', async () => {
    const res = await raw(h.server.graphqlUrl, { method: 'POST', headers: { 'content-type': 'text/plain', authorization: `Bearer ${h.a.ownerKey}` }, body: JSON.stringify({ query }) });
    assert.equal(res.status, 400);
    assert.equal(res.body.data, undefined);
  });
});
