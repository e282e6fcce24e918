// API keys: `cnd_<40 base62 chars>` secrets shown once, stored only as SHA-256, with a
// non-secret display prefix so people can tell their keys apart.
import { createHash, randomInt } from 'node:crypto';
import type { Kysely } from 'kysely';
import { withSystem, type TenantTransaction } from '../db/tenant.ts';
import type { DB } from '../db/types/index.ts';
import type { MembershipRole } from '../db/types/core.ts';
import { TenancyError } from './errors.ts';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const SECRET_BODY_LENGTH = 40; // ~238 bits
const PREFIX_BODY_LENGTH = 8;
export const API_KEY_PATTERN = /^cnd_[A-Za-z0-9]{40}$/;

export interface ApiKeyInfo {
  id: string;
  orgId: string;
  userId: string;
  name: string;
  prefix: string;
  scopes: string[];
  createdAt: Date;
  lastUsedAt: Date | null;
  expiresAt: Date | null;
  revokedAt: Date | null;
}

export interface CreatedApiKey {
  key: ApiKeyInfo;
  /** The only time the secret exists outside its holder: return it to them and forget it. */
  secret: string;
}

export interface VerifiedApiKey {
  keyId: string;
  orgId: string;
  userId: string;
  /** The holder's current role in the org (a key never outranks its user). */
  role: MembershipRole;
  scopes: string[];
}

export function generateApiKeySecret(): string {
  let body = '';
  for (let i = 0; i < SECRET_BODY_LENGTH; i++) body += ALPHABET[randomInt(ALPHABET.length)];
  return `cnd_${body}`;
}

export function hashApiKeySecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

export function apiKeyDisplayPrefix(secret: string): string {
  return secret.slice(0, 4 + PREFIX_BODY_LENGTH);
}

const KEY_COLUMNS = [
  'id',
  'org_id',
  'user_id',
  'name',
  'prefix',
  'scopes',
  'created_at',
  'last_used_at',
  'expires_at',
  'revoked_at',
] as const;

function toInfo(row: {
  id: string;
  org_id: string;
  user_id: string;
  name: string;
  prefix: string;
  scopes: string[];
  created_at: Date;
  last_used_at: Date | null;
  expires_at: Date | null;
  revoked_at: Date | null;
}): ApiKeyInfo {
  return {
    id: row.id,
    orgId: row.org_id,
    userId: row.user_id,
    name: row.name,
    prefix: row.prefix,
    scopes: row.scopes,
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
    expiresAt: row.expires_at,
    revokedAt: row.revoked_at,
  };
}

export interface CreateApiKeyInput {
  orgId: string;
  /** Must be a member of the org (enforced by a foreign key). */
  userId: string;
  name: string;
  scopes?: string[];
  expiresAt?: Date | null;
}

/** Creates a key for a member; works inside withTenant (or withSystem). */
export async function createApiKey(trx: TenantTransaction, input: CreateApiKeyInput): Promise<CreatedApiKey> {
  const name = input.name.trim();
  if (name.length < 1 || name.length > 200) throw new TenancyError('API key name must be 1 to 200 characters');
  const scopes = input.scopes ?? [];
  for (const scope of scopes) {
    if (!/^[a-z][a-z0-9:_.-]{0,63}$/.test(scope)) throw new TenancyError(`invalid API key scope: ${JSON.stringify(scope)}`);
  }
  const secret = generateApiKeySecret();
  const member = await trx
    .selectFrom('memberships')
    .select('user_id')
    .where('org_id', '=', input.orgId)
    .where('user_id', '=', input.userId)
    .executeTakeFirst();
  if (!member) throw new TenancyError('the key holder is not a member of this organization');
  const row = await trx
    .insertInto('api_keys')
    .values({
      org_id: input.orgId,
      user_id: input.userId,
      name,
      prefix: apiKeyDisplayPrefix(secret),
      secret_hash: hashApiKeySecret(secret),
      scopes,
      expires_at: input.expiresAt ?? null,
    })
    .returning(KEY_COLUMNS)
    .executeTakeFirstOrThrow();
  return { key: toInfo(row), secret };
}

/** Marks a key revoked; false when no such (visible, unrevoked) key exists. */
export async function revokeApiKey(trx: TenantTransaction, keyId: string): Promise<boolean> {
  const result = await trx
    .updateTable('api_keys')
    .set({ revoked_at: new Date() })
    .where('id', '=', keyId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** The org's keys (never secrets), newest first. */
export async function listApiKeys(trx: TenantTransaction): Promise<ApiKeyInfo[]> {
  const rows = await trx.selectFrom('api_keys').select(KEY_COLUMNS).orderBy('created_at', 'desc').execute();
  return rows.map(toInfo);
}

/** last_used_at is kept to this resolution: a key is stamped at most once per interval. */
export const LAST_USED_RESOLUTION_MS = 60_000;

/**
 * Resolves a presented secret before any org is known (owner-side system transaction).
 * Returns null for malformed, unknown, revoked or expired keys and for keys whose holder left
 * the org; stamps last_used_at on success (to the minute).
 */
export async function verifyApiKey(db: Kysely<DB>, secret: string): Promise<VerifiedApiKey | null> {
  if (typeof secret !== 'string' || !API_KEY_PATTERN.test(secret)) return null;
  return verifyKeyWhere(db, 'k.secret_hash', hashApiKeySecret(secret));
}

/**
 * The same checks for a key known by id (a console session is bound to one): null once the key
 * is revoked or expired or its holder left the org, so ending the key ends the session.
 */
export async function verifyApiKeyById(db: Kysely<DB>, keyId: string): Promise<VerifiedApiKey | null> {
  if (typeof keyId !== 'string' || !/^[0-9a-f-]{36}$/i.test(keyId)) return null;
  return verifyKeyWhere(db, 'k.id', keyId);
}

async function verifyKeyWhere(db: Kysely<DB>, column: 'k.secret_hash' | 'k.id', value: string): Promise<VerifiedApiKey | null> {
  return withSystem(db, async (trx) => {
    const row = await trx
      .selectFrom('api_keys as k')
      .innerJoin('memberships as m', (join) => join.onRef('m.org_id', '=', 'k.org_id').onRef('m.user_id', '=', 'k.user_id'))
      .select(['k.id', 'k.org_id', 'k.user_id', 'k.scopes', 'k.last_used_at', 'm.role'])
      .where(column, '=', value)
      .where('k.revoked_at', 'is', null)
      .where((eb) => eb.or([eb('k.expires_at', 'is', null), eb('k.expires_at', '>', new Date())]))
      .executeTakeFirst();
    if (!row) return null;
    // At most one write a minute per key: busy clients must not turn every request into an UPDATE
    // (and a key used within the minute costs no statement for it at all).
    const staleBefore = new Date(Date.now() - LAST_USED_RESOLUTION_MS);
    if (!row.last_used_at || row.last_used_at < staleBefore) {
      await trx
        .updateTable('api_keys')
        .set({ last_used_at: new Date() })
        .where('id', '=', row.id)
        .where((eb) => eb.or([eb('last_used_at', 'is', null), eb('last_used_at', '<', staleBefore)]))
        .execute();
    }
    return { keyId: row.id, orgId: row.org_id, userId: row.user_id, role: row.role, scopes: row.scopes };
  });
}
