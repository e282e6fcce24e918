// Audit trail: written inside the same transaction as the change it describes, so a rolled-back
// change leaves no entry and a committed one always has one.
import type { Transaction } from 'kysely';
import type { DB } from '../db/types/index.ts';

export interface AuditInput {
  orgId: string;
  /** e.g. `api_key.create`, `project.archive`. */
  action: string;
  actorUserId?: string | null;
  actorApiKeyId?: string | null;
  targetType?: string | null;
  targetId?: string | null;
  details?: Record<string, unknown>;
}

export async function recordAudit(trx: Transaction<DB>, input: AuditInput): Promise<{ id: string; createdAt: Date }> {
  const row = await trx
    .insertInto('audit_log')
    .values({
      org_id: input.orgId,
      action: input.action,
      actor_user_id: input.actorUserId ?? null,
      actor_api_key_id: input.actorApiKeyId ?? null,
      target_type: input.targetType ?? null,
      target_id: input.targetId ?? null,
      details: JSON.stringify(input.details ?? {}),
    })
    .returning(['id', 'created_at'])
    .executeTakeFirstOrThrow();
  return { id: row.id, createdAt: row.created_at };
}
