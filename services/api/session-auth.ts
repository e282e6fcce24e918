// Resolves a console session cookie to the caller: an authentic, unexpired, not signed-out token,
// the right CSRF token, and a key that is still valid (its current role and scopes apply).
import type { AuthInfo } from './auth.ts';
import type { ApiServices } from './context.ts';
import { graphQLError } from './errors.ts';
import { verifyApiKeyById } from '../tenancy/index.ts';

export interface SessionCheck {
  /** The session token from the cookie. */
  token: string;
  /** The CSRF token the request presented (header or connection parameter); false skips the check (GET /session). */
  csrf: unknown | false;
}

/** The caller of a session; throws UNAUTHENTICATED (401) or FORBIDDEN (403, CSRF) otherwise. */
export async function authenticateSession(services: ApiServices, check: SessionCheck): Promise<AuthInfo> {
  const { signer, signedOut } = services.sessions;
  const claims = signer.verify(check.token);
  if (!claims || signedOut.has(claims)) throw graphQLError('UNAUTHENTICATED', 'the console session expired or was signed out; sign in again', 401);
  if (check.csrf !== false && !signer.checkCsrf(check.token, check.csrf)) {
    throw graphQLError('FORBIDDEN', 'missing or wrong CSRF token for this session (send it as the x-condense-csrf header)', 403);
  }
  const cacheKey = `session:${claims.k}`;
  let auth = services.authCache.get(cacheKey);
  if (!auth) {
    auth = await verifyApiKeyById(services.database.db, claims.k);
    if (auth) services.authCache.set(cacheKey, auth);
  }
  if (!auth || auth.orgId !== claims.o) throw graphQLError('UNAUTHENTICATED', 'the API key of this console session was revoked or expired; sign in again', 401);
  return auth;
}
