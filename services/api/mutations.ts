// Conventions every mutation follows: one `input`, a payload with `userErrors`, an audit row
// for changes to keys, members, runs and deployments, and optional idempotency keys.
import { createHash } from 'node:crypto';
import type { TenantTransaction } from '../db/tenant.ts';
import { recordAudit } from '../tenancy/index.ts';
import { TenancyError, UNIQUE_VIOLATION, sqlState } from '../tenancy/errors.ts';
import type { ApiContext } from './context.ts';
import { UserFacingError } from './errors.ts';
import type { UserError } from './types/common.ts';

export interface PayloadBase {
  userErrors: UserError[];
}

/** Runs a mutation body; expected failures become `userErrors`, anything else propagates (masked). */
export async function mutate<T extends object>(body: () => Promise<T>): Promise<Partial<T> & PayloadBase> {
  const failed = (userError: UserError) => ({ userErrors: [userError] }) as Partial<T> & PayloadBase;
  try {
    return { ...(await body()), userErrors: [] };
  } catch (error) {
    if (error instanceof UserFacingError) {
      return failed({ code: error.code, field: error.field ? ['input', error.field] : null, message: error.message });
    }
    if (error instanceof TenancyError) return failed({ code: 'INVALID_INPUT', field: null, message: error.message });
    if (sqlState(error) === UNIQUE_VIOLATION) {
      return failed({ code: 'ALREADY_EXISTS', field: null, message: 'an item with that name already exists' });
    }
    throw error;
  }
}

export async function audit(
  trx: TenantTransaction,
  context: ApiContext,
  action: string,
  target: { type: string; id: string },
  details: Record<string, unknown> = {},
): Promise<void> {
  const auth = context.auth!;
  await recordAudit(trx, {
    orgId: auth.orgId, action, actorUserId: auth.userId, actorApiKeyId: auth.keyId, targetType: target.type, targetId: target.id, details,
  });
}

/** JSON with sorted keys, so equal inputs hash equally whatever the key order. */
function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined).sort(([a], [b]) => a.localeCompare(b));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

/**
 * Same key + same input → the recorded result; same key + other input → IDEMPOTENCY_CONFLICT;
 * no key → just runs. The record is written in the caller's transaction, so a failed attempt
 * records nothing and can be retried with the same key.
 */
export async function idempotent<T extends Record<string, unknown>>(
  trx: TenantTransaction,
  orgId: string,
  operation: string,
  key: string | null | undefined,
  request: unknown,
  run: () => Promise<T>,
): Promise<T> {
  if (!key) return run();
  if (key.length > 200) throw new UserFacingError('INVALID_INPUT', 'idempotencyKey must be at most 200 characters', 'idempotencyKey');
  const hash = createHash('sha256').update(stableJson(request)).digest('hex');
  const existing = await trx
    .selectFrom('idempotency_keys')
    .select(['request_hash', 'response'])
    .where('operation', '=', operation)
    .where('key', '=', key)
    .executeTakeFirst();
  if (existing) {
    if (existing.request_hash !== hash) {
      throw new UserFacingError('IDEMPOTENCY_CONFLICT', 'this idempotencyKey was already used with a different input', 'idempotencyKey');
    }
    return existing.response as T;
  }
  const result = await run();
  await trx
    .insertInto('idempotency_keys')
    .values({ org_id: orgId, operation, key, request_hash: hash, response: JSON.stringify(result) })
    .execute();
  return result;
}
