// Authentication (API keys as Bearer tokens) and role rules for @Authorized.
// Roles are ordered: viewer < member < admin < owner. `@Authorized('MEMBER')` means "member or
// above"; `@Authorized()` means "any authenticated caller". Viewers read only; members change
// projects, models, datasets, runs and deployments; admins and owners also manage keys and members.
import type { AuthChecker } from 'type-graphql';
import type { Kysely } from 'kysely';
import type { DB, MembershipRole } from '../db/types/index.ts';
import { verifyApiKey } from '../tenancy/index.ts';
import type { ApiContext } from './context.ts';
import { graphQLError } from './errors.ts';

export interface AuthInfo {
  keyId: string;
  orgId: string;
  userId: string;
  role: MembershipRole;
  scopes: string[];
}

export type RoleName = 'VIEWER' | 'MEMBER' | 'ADMIN' | 'OWNER';

const RANK: Record<MembershipRole, number> = { viewer: 0, member: 1, admin: 2, owner: 3 };

export function roleAtLeast(role: MembershipRole, minimum: MembershipRole): boolean {
  return RANK[role] >= RANK[minimum];
}

/** Extracts the secret of an `Authorization: Bearer <secret>` header (null when absent). */
export function bearerSecret(header: string | undefined | null): string | null {
  if (!header) return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match ? match[1]! : '';
}

/**
 * Remembers verified keys for a few seconds: verification is a write (last_used_at) and would
 * otherwise dominate every request on the embedded database. Changes made through this process
 * (revoking a key, changing or removing a member) clear the cache at once; another API process
 * notices within `ttlMs`.
 */
export class AuthCache {
  private readonly entries = new Map<string, { auth: AuthInfo; until: number }>();
  /** Verifications in flight, so a burst of requests with one key verifies it once. */
  readonly pending = new Map<string, Promise<AuthInfo | null>>();

  constructor(private readonly ttlMs = 5000) {}

  get(secret: string, now = Date.now()): AuthInfo | null {
    const entry = this.entries.get(secret);
    if (!entry || entry.until < now) return null;
    return entry.auth;
  }

  set(secret: string, auth: AuthInfo, now = Date.now()): void {
    if (this.entries.size > 10_000) this.entries.clear();
    this.entries.set(secret, { auth, until: now + this.ttlMs });
  }

  clear(): void {
    this.entries.clear();
    this.pending.clear();
  }
}

/** Resolves a header to the caller; throws UNAUTHENTICATED (401) for a present but invalid key. */
export async function authenticate(db: Kysely<DB>, header: string | undefined | null, cache?: AuthCache): Promise<AuthInfo | null> {
  const secret = bearerSecret(header);
  if (secret === null) return null;
  if (secret === '') throw graphQLError('UNAUTHENTICATED', 'invalid, revoked or expired API key', 401);
  const cached = cache?.get(secret);
  if (cached) return cached;
  let verifying = cache?.pending.get(secret);
  if (!verifying) {
    verifying = verifyApiKey(db, secret);
    if (cache) {
      cache.pending.set(secret, verifying);
      void verifying.then(
        (verified) => {
          if (cache.pending.get(secret) !== verifying) return; // cleared meanwhile: do not cache
          cache.pending.delete(secret);
          if (verified) cache.set(secret, verified);
        },
        () => cache.pending.delete(secret),
      );
    }
  }
  const verified = await verifying;
  if (!verified) throw graphQLError('UNAUTHENTICATED', 'invalid, revoked or expired API key', 401);
  return verified;
}

export const authChecker: AuthChecker<ApiContext, RoleName> = ({ context }, roles) => {
  const auth = context.auth;
  if (!auth) throw graphQLError('UNAUTHENTICATED', 'authentication required: send an API key as "Authorization: Bearer <key>"', 401);
  if (roles.length === 0) return true;
  const minimum = roles[0]!.toLowerCase() as MembershipRole;
  if (roleAtLeast(auth.role, minimum)) return true;
  throw graphQLError('FORBIDDEN', `this needs the ${minimum} role or above; you are ${auth.role}`, 403);
};
