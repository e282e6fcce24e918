// Console sign-in over plain HTTP, same origin as /graphql:
//   POST /session           {"apiKey": "cnd_…"} → sets the session cookie, answers the CSRF token
//   GET  /session           the current session (role, scopes, CSRF token) or {signedIn: false}
//   POST /session/sign-out  ends the session on every API process (needs the CSRF header; its
//                           subscriptions end too) and clears the cookie
import type { Request, Response } from 'express';
import { authenticate } from '../auth.ts';
import type { ApiServices } from '../context.ts';
import { httpError } from './respond.ts';
import { authenticateSession } from '../session-auth.ts';
import { recordSignOut } from '../sign-out.ts';
import { CSRF_HEADER, SESSION_COOKIE, clearedSessionCookie, readCookie, sameOrigin, sessionCookie } from '../session.ts';
import type { AuthInfo } from '../auth.ts';

/** Secure cookies when the browser reached us over TLS (directly or as the public URL says). */
function secureRequest(services: ApiServices, req: Request): boolean {
  return req.secure || services.publicUrl().startsWith('https:');
}

function describe(services: ApiServices, auth: AuthInfo, token: string, expiresAt: number) {
  return {
    orgId: auth.orgId,
    role: auth.role.toUpperCase(),
    scopes: auth.scopes,
    expiresAt: new Date(expiresAt * 1000).toISOString(),
    csrfToken: services.sessions.signer.csrfToken(token),
  };
}

/** The message of an expected auth error (rethrows anything else). */
function statusOf(error: unknown): { message: string } {
  const e = error as { message?: string; extensions?: { code?: string } };
  if (e?.extensions?.code) return { message: e.message ?? 'not signed in' };
  throw error;
}

export function signInHandler(services: ApiServices) {
  return async (req: Request, res: Response): Promise<void> => {
    res.setHeader('cache-control', 'no-store');
    if (!sameOrigin(req.headers.origin, req.headers.host)) return httpError(res, 403, 'FORBIDDEN', 'sign-in must come from the console on this server');
    if (!req.is('application/json')) return httpError(res, 415, 'BAD_REQUEST', 'send {"apiKey": "cnd_…"} as application/json');
    const apiKey = (req.body as { apiKey?: unknown } | undefined)?.apiKey;
    if (typeof apiKey !== 'string' || apiKey.trim() === '') return httpError(res, 400, 'BAD_REQUEST', 'apiKey is required');
    let auth: AuthInfo | null;
    try {
      auth = await authenticate(services.database.db, `Bearer ${apiKey.trim()}`);
    } catch {
      auth = null;
    }
    if (!auth) return httpError(res, 401, 'UNAUTHENTICATED', 'invalid, revoked or expired API key');
    const { token, claims } = services.sessions.signer.issue(auth.keyId, auth.orgId, services.sessions.ttlSeconds);
    res.setHeader('set-cookie', sessionCookie(token, services.sessions.ttlSeconds, secureRequest(services, req)));
    res.status(200).json({ signedIn: true, ...describe(services, auth, token, claims.e) });
  };
}

export function sessionInfoHandler(services: ApiServices) {
  return async (req: Request, res: Response): Promise<void> => {
    res.setHeader('cache-control', 'no-store');
    // Not being signed in is an answer, not an error: 200 with signedIn false (and the reason).
    const token = readCookie(req.headers.cookie, SESSION_COOKIE);
    if (!token) return void res.status(200).json({ signedIn: false });
    try {
      const auth = await authenticateSession(services, { token, csrf: false });
      res.status(200).json({ signedIn: true, ...describe(services, auth, token, services.sessions.signer.verify(token)!.e) });
    } catch (error) {
      const { message } = statusOf(error);
      res.setHeader('set-cookie', clearedSessionCookie(secureRequest(services, req)));
      res.status(200).json({ signedIn: false, reason: message });
    }
  };
}

export function signOutHandler(services: ApiServices) {
  return async (req: Request, res: Response): Promise<void> => {
    res.setHeader('cache-control', 'no-store');
    const token = readCookie(req.headers.cookie, SESSION_COOKIE);
    const claims = services.sessions.signer.verify(token);
    if (token && claims) {
      if (!services.sessions.signer.checkCsrf(token, req.headers[CSRF_HEADER])) return httpError(res, 403, 'FORBIDDEN', 'missing or wrong CSRF token for this session');
      // Every API process: recorded, announced (NOTIFY) and remembered here at once.
      await recordSignOut(services.database.db, claims);
      services.sessions.signedOut.end(claims);
    }
    res.setHeader('set-cookie', clearedSessionCookie(secureRequest(services, req)));
    res.status(204).end();
  };
}
