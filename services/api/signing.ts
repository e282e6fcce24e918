// Short-lived signed tokens for byte URLs: HMAC-SHA256 over a compact JSON claim with expiry,
// bound to an org and a purpose, so an upload URL cannot be replayed as a download or in another org.
import { createHmac, timingSafeEqual } from 'node:crypto';

export type TokenPurpose = 'upload' | 'download';

export interface TokenClaims {
  /** purpose */
  p: TokenPurpose;
  /** org id */
  o: string;
  /** subject: upload id, or blob sha256 for downloads */
  s: string;
  /** expiry, unix seconds */
  e: number;
  /** optional file name offered to the client */
  n?: string;
  /** the API key that minted a download URL: the URL dies with it */
  k?: string;
}

export class UrlSigner {
  constructor(private readonly secret: string) {}

  sign(claims: Omit<TokenClaims, 'e'>, ttlSeconds: number, now = Date.now()): { token: string; expiresAt: Date } {
    const full: TokenClaims = { ...claims, e: Math.floor(now / 1000) + ttlSeconds };
    const body = Buffer.from(JSON.stringify(full), 'utf8').toString('base64url');
    return { token: `${body}.${this.mac(body)}`, expiresAt: new Date(full.e * 1000) };
  }

  /** The claims when the token is authentic, unexpired and of the purpose; null otherwise. */
  verify(token: string, purpose: TokenPurpose, now = Date.now()): TokenClaims | null {
    if (typeof token !== 'string') return null;
    const [body, mac] = token.split('.');
    if (!body || !mac) return null;
    const expected = Buffer.from(this.mac(body));
    const given = Buffer.from(mac);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return null;
    try {
      const claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as TokenClaims;
      if (claims.p !== purpose || typeof claims.o !== 'string' || typeof claims.s !== 'string') return null;
      if (typeof claims.e !== 'number' || claims.e * 1000 < now) return null;
      if (claims.k !== undefined && typeof claims.k !== 'string') return null;
      return claims;
    } catch {
      return null;
    }
  }

  private mac(body: string): string {
    return createHmac('sha256', this.secret).update(body).digest('base64url');
  }
}
