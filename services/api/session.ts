// Console sessions: the browser pastes an API key once and gets back a short-lived, HttpOnly,
// SameSite=Strict cookie instead of keeping the key. The cookie is an HMAC-signed claim naming the
// key (never the key itself); every request re-checks that key (revoked, expired or its holder
// gone → the session is over) and acts with the key's current role and scopes. Requests made with
// the cookie must also carry the session's CSRF token in a header (see CSRF_HEADER).
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const SESSION_COOKIE = 'condense_session';
/** Header carrying the CSRF token on every cookie-authenticated /graphql request. */
export const CSRF_HEADER = 'x-condense-csrf';
/** Default session lifetime: one working day at most, never longer than the key itself. */
export const DEFAULT_SESSION_TTL_SECONDS = 8 * 3600;

export interface SessionClaims {
  /** API key id the session is bound to */
  k: string;
  /** org id (informational; the key decides) */
  o: string;
  /** expiry, unix seconds */
  e: number;
  /** random nonce, so two sessions of one key differ (and sign-out can name one) */
  n: string;
}

export class SessionSigner {
  constructor(private readonly secret: string) {}

  issue(keyId: string, orgId: string, ttlSeconds: number, now = Date.now()): { token: string; claims: SessionClaims } {
    const claims: SessionClaims = { k: keyId, o: orgId, e: Math.floor(now / 1000) + ttlSeconds, n: randomBytes(16).toString('base64url') };
    const body = Buffer.from(JSON.stringify(claims), 'utf8').toString('base64url');
    return { token: `${body}.${this.mac('session', body)}`, claims };
  }

  /** Claims of an authentic, unexpired session token; null otherwise. */
  verify(token: string | undefined, now = Date.now()): SessionClaims | null {
    if (typeof token !== 'string' || token.length > 1000) return null;
    const [body, mac, extra] = token.split('.');
    if (!body || !mac || extra !== undefined || !equal(mac, this.mac('session', body))) return null;
    try {
      const claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as SessionClaims;
      if (typeof claims.k !== 'string' || typeof claims.o !== 'string' || typeof claims.n !== 'string') return null;
      if (typeof claims.e !== 'number' || claims.e * 1000 <= now) return null;
      return claims;
    } catch {
      return null;
    }
  }

  /** The CSRF token of a session: derived from it, so the server stores nothing. */
  csrfToken(sessionToken: string): string {
    return this.mac('csrf', sessionToken);
  }

  checkCsrf(sessionToken: string, presented: unknown): boolean {
    return typeof presented === 'string' && equal(presented, this.csrfToken(sessionToken));
  }

  private mac(purpose: string, body: string): string {
    return createHmac('sha256', this.secret).update(`${purpose}.${body}`).digest('base64url');
  }
}

function equal(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Sessions signed out (in any process: services/api/sign-out.ts keeps this set current), until
 * they would have expired anyway. */
export class SignedOutSessions {
  private readonly ended = new Map<string, number>();

  end(claims: SessionClaims): void {
    this.endNonce(claims.n, claims.e);
  }

  /** The session with this nonce, expiring at `expiry` (unix seconds), is over. */
  endNonce(nonce: string, expiry: number): void {
    const now = Date.now() / 1000;
    for (const [n, e] of this.ended) if (e <= now) this.ended.delete(n);
    if (expiry > now) this.ended.set(nonce, expiry);
  }

  has(claims: SessionClaims): boolean {
    return this.ended.has(claims.n);
  }
}

/** The value of one cookie from a Cookie header (undefined when absent). */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const index = part.indexOf('=');
    if (index > 0 && part.slice(0, index).trim() === name) return part.slice(index + 1).trim();
  }
  return undefined;
}

export function sessionCookie(token: string, maxAgeSeconds: number, secure: boolean): string {
  return `${SESSION_COOKIE}=${token}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${Math.max(0, maxAgeSeconds)}${secure ? '; Secure' : ''}`;
}

export function clearedSessionCookie(secure: boolean): string {
  return sessionCookie('', 0, secure);
}

/**
 * True when a browser request comes from this server's own origin (or names none, as non-browser
 * clients do). Guards sign-in and WebSocket upgrades, which SameSite alone does not cover.
 */
export function sameOrigin(origin: string | undefined, host: string | undefined): boolean {
  if (!origin) return true;
  try {
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}
