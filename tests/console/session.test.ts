// Console sign-in at the HTTP level: the key is exchanged for an HttpOnly, SameSite=Strict session
// cookie bound to the key (role and scopes follow it, revoking it ends the session), CSRF is
// required on cookie requests (HTTP and WebSocket), sign-out ends the session, and the built
// console is served on the same origin with its security headers.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { SessionSigner, sessionCookie } from '../../services/api/session.ts';
import { collect, gql, memberKey, ok, startHarness, type Harness } from '../api/harness.ts';

interface Signed { cookie: string; csrf: string; body: any; setCookie: string }

async function signIn(h: Harness, apiKey: string, headers: Record<string, string> = {}): Promise<{ status: number; signed?: Signed; body: any }> {
  const res = await fetch(`${h.server.url}/session`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ apiKey }) });
  const body = await res.json();
  const setCookie = res.headers.get('set-cookie') ?? '';
  if (res.status !== 200) return { status: res.status, body };
  return { status: res.status, body, signed: { cookie: setCookie.split(';')[0]!, csrf: body.csrfToken, body, setCookie } };
}

async function cookieGql(h: Harness, s: Signed, query: string, variables: Record<string, unknown> = {}, csrf: string | null = s.csrf) {
  const res = await fetch(h.server.graphqlUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie: s.cookie, ...(csrf !== null ? { 'x-condense-csrf': csrf } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  return { status: res.status, body: (await res.json()) as any };
}

function cookieWs(h: Harness, s: Signed, csrfToken: string | undefined, origin = h.server.url) {
  return createClient({
    url: h.server.wsUrl,
    webSocketImpl: class extends WebSocket {
      constructor(url: string, protocols?: string | string[]) {
        super(url, protocols, { headers: { cookie: s.cookie, origin } });
      }
    },
    connectionParams: csrfToken === undefined ? {} : { csrfToken },
    retryAttempts: 0,
    lazy: true,
  });
}

const CREATE_PROJECT = 'mutation($input: CreateProjectInput!) { createProject(input: $input) { project { id } userErrors { message } } }';

describe('console sessions', () => {
  let h: Harness;
  let consoleDir: string;
  before(async () => {
    consoleDir = mkdtempSync(join(tmpdir(), 'condense-console-'));
    writeFileSync(join(consoleDir, 'index.html'), '<!doctype html><title>console test page</title>');
    h = await startHarness({ consoleDir });
  });
  after(async () => {
    await h?.close();
    rmSync(consoleDir, { recursive: true, force: true });
  });

  it('exchanges a key for an HttpOnly SameSite=Strict cookie that carries the role, and refuses bad keys', async () => {
    const bad = await signIn(h, 'cnd_' + 'x'.repeat(40));
    assert.equal(bad.status, 401);
    assert.equal(bad.body.error.code, 'UNAUTHENTICATED');
    const { status, signed } = await signIn(h, h.a.ownerKey);
    assert.equal(status, 200);
    assert.match(signed!.setCookie, /^condense_session=[^;]+; Path=\/; HttpOnly; SameSite=Strict; Max-Age=28800$/);
    assert.ok(!signed!.setCookie.includes(h.a.ownerKey), 'the cookie must not contain the key');
    assert.equal(signed!.body.role, 'OWNER');
    assert.equal(signed!.body.orgId, h.a.orgId);
    const viewer = await cookieGql(h, signed!, '{ viewer { role organization { slug } } }');
    assert.equal(viewer.status, 200);
    assert.deepEqual(viewer.body.data.viewer, { role: 'OWNER', organization: { slug: 'org-a' } });
    const created = await cookieGql(h, signed!, CREATE_PROJECT, { input: { name: 'from the console' } });
    assert.ok(created.body.data.createProject.project.id);
  });

  it('refuses cookie requests without the right CSRF token, and cross-site sign-in', async () => {
    const { signed } = await signIn(h, h.a.ownerKey);
    const missing = await cookieGql(h, signed!, CREATE_PROJECT, { input: { name: 'forged' } }, null);
    assert.equal(missing.status, 403);
    assert.equal(missing.body.errors[0].extensions.code, 'FORBIDDEN');
    assert.match(missing.body.errors[0].message, /CSRF/);
    const wrong = await cookieGql(h, signed!, '{ viewer { role } }', {}, 'not-the-token');
    assert.equal(wrong.status, 403);
    const other = await signIn(h, h.a.ownerKey);
    const crossed = await cookieGql(h, signed!, '{ viewer { role } }', {}, other.signed!.csrf);
    assert.equal(crossed.status, 403, 'a CSRF token belongs to one session');
    const foreign = await signIn(h, h.a.ownerKey, { origin: 'https://evil.example' });
    assert.equal(foreign.status, 403);
    const form = await fetch(`${h.server.url}/session`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `apiKey=${h.a.ownerKey}` });
    assert.equal(form.status, 415);
    assert.equal(form.headers.get('set-cookie'), null);
  });

  it('gives a viewer a viewer session: reads work, mutations are refused', async () => {
    const viewerKey = await memberKey(h, h.a, 'viewer', 'viewer@org-a.test');
    const { signed } = await signIn(h, viewerKey);
    assert.equal(signed!.body.role, 'VIEWER');
    assert.equal((await cookieGql(h, signed!, '{ viewer { role } }')).body.data.viewer.role, 'VIEWER');
    const refused = await cookieGql(h, signed!, CREATE_PROJECT, { input: { name: 'nope' } });
    assert.equal(refused.body.errors[0].extensions.code, 'FORBIDDEN');
  });

  it('ends the session when its key is revoked, over HTTP and WebSocket', async () => {
    const memberSecret = await memberKey(h, h.a, 'member', 'member@org-a.test');
    const keyId = (await ok(h.server, memberSecret, '{ viewer { apiKey { id } } }')).viewer.apiKey.id;
    const { signed } = await signIn(h, memberSecret);
    assert.equal((await cookieGql(h, signed!, '{ viewer { role } }')).status, 200);
    const ws = cookieWs(h, signed!, signed!.csrf);
    const before = await collect(ws, '{ viewer { role } }', {}).done;
    assert.equal(before[0].data.viewer.role, 'MEMBER');
    const revoked = await ok(h.server, h.a.ownerKey, 'mutation($input: RevokeApiKeyInput!) { revokeApiKey(input: $input) { apiKey { revokedAt } } }', { input: { apiKeyId: keyId } });
    assert.ok(revoked.revokeApiKey.apiKey.revokedAt);
    const afterRevoke = await cookieGql(h, signed!, '{ viewer { role } }');
    assert.equal(afterRevoke.status, 401);
    assert.match(afterRevoke.body.errors[0].message, /revoked or expired; sign in again/);
    const info = await (await fetch(`${h.server.url}/session`, { headers: { cookie: signed!.cookie } })).json();
    assert.equal(info.signedIn, false);
    assert.match(info.reason, /revoked/);
    const wsAfter = await collect(ws, '{ viewer { role } }', {}).done.catch((e: unknown) => e);
    assert.ok(!Array.isArray(wsAfter) || wsAfter[0]?.errors, 'a revoked session gets nothing over its open WebSocket');
    await ws.dispose();
  });

  it('accepts a cookie WebSocket only from this origin with the CSRF token', async () => {
    const { signed } = await signIn(h, h.a.ownerKey);
    const good = cookieWs(h, signed!, signed!.csrf);
    assert.equal((await collect(good, '{ viewer { role } }', {}).done)[0].data.viewer.role, 'OWNER');
    await good.dispose();
    for (const client of [cookieWs(h, signed!, undefined), cookieWs(h, signed!, 'wrong'), cookieWs(h, signed!, signed!.csrf, 'https://evil.example')]) {
      const result = await collect(client, '{ viewer { role } }', {}).done.catch((e: unknown) => e);
      assert.ok(!Array.isArray(result), 'the connection must be refused');
      await client.dispose();
    }
  });

  it('signs out: needs the CSRF header, clears the cookie, and the old cookie stops working', async () => {
    const { signed } = await signIn(h, h.a.ownerKey);
    const info = await fetch(`${h.server.url}/session`, { headers: { cookie: signed!.cookie } });
    assert.equal(info.status, 200);
    const infoBody = await info.json();
    assert.equal(infoBody.signedIn, true);
    assert.equal(infoBody.csrfToken, signed!.csrf, 'a reloaded page gets its CSRF token back from GET /session');
    const forged = await fetch(`${h.server.url}/session/sign-out`, { method: 'POST', headers: { cookie: signed!.cookie } });
    assert.equal(forged.status, 403);
    const out = await fetch(`${h.server.url}/session/sign-out`, { method: 'POST', headers: { cookie: signed!.cookie, 'x-condense-csrf': signed!.csrf } });
    assert.equal(out.status, 204);
    assert.match(out.headers.get('set-cookie') ?? '', /^condense_session=; Path=\/; HttpOnly; SameSite=Strict; Max-Age=0$/);
    const stale = await cookieGql(h, signed!, '{ viewer { role } }');
    assert.equal(stale.status, 401);
    assert.match(stale.body.errors[0].message, /expired or was signed out/);
    assert.equal((await gql(h.server, h.a.ownerKey, '{ viewer { role } }')).status, 200, 'the key itself still works');
  });

  it('marks cookies Secure under TLS and rejects tampered or expired tokens', () => {
    assert.match(sessionCookie('t', 60, true), /; Secure$/);
    const signer = new SessionSigner('k'.repeat(40));
    const { token } = signer.issue('key', 'org', 60, 1_000_000);
    assert.ok(signer.verify(token, 1_000_000));
    assert.equal(signer.verify(token, 1_000_000 + 61_000), null);
    const [body, mac] = token.split('.');
    const forged = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(body!, 'base64url').toString()), k: 'other' })).toString('base64url');
    assert.equal(signer.verify(`${forged}.${mac}`, 1_000_000), null);
    assert.equal(new SessionSigner('z'.repeat(40)).verify(token, 1_000_000), null);
  });

  it('serves the console on the same origin, with client routes and security headers, without shadowing the API', async () => {
    for (const path of ['/', '/projects/abc', '/runs/xyz']) {
      const res = await fetch(`${h.server.url}${path}`);
      assert.equal(res.status, 200, path);
      assert.match(await res.text(), /console test page/);
      assert.match(res.headers.get('content-security-policy') ?? '', /default-src 'self'.*frame-ancestors 'none'/);
    }
    assert.deepEqual(await (await fetch(`${h.server.url}/healthz`)).json(), { ok: true });
    assert.deepEqual(await (await fetch(`${h.server.url}/session`)).json(), { signedIn: false });
    assert.equal((await fetch(`${h.server.url}/assets/missing.js`)).status, 404);
  });
});
