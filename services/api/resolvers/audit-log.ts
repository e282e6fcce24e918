// Organization.auditLog: the organization's audited changes, newest first (admins and owners).
import { Args, Authorized, Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import type { ApiContext } from '../context.ts';
import { pageWindow, toConnection } from '../pagination.ts';
import { AuditEntry } from '../types/audit.ts';
import { PageArgs, connectionOf } from '../types/common.ts';
import { Organization } from '../types/org.ts';

const AuditEntryConnection = connectionOf(AuditEntry, 'AuditEntry');

@Resolver(() => Organization)
export class AuditLogResolver {
  @Authorized('ADMIN')
  @FieldResolver(() => AuditEntryConnection, { description: 'Audited changes, newest first (admins and owners only).' })
  auditLog(@Root() _org: Organization, @Args(() => PageArgs) page: PageArgs, @Ctx() context: ApiContext) {
    const window = pageWindow(page);
    return context.tenant(async (trx) => {
      // Actors are joined, not referenced: the trail outlives the people and keys it names.
      const rows = await trx.selectFrom('audit_log as a')
        .leftJoin('users as u', 'u.id', 'a.actor_user_id')
        .leftJoin('api_keys as k', 'k.id', 'a.actor_api_key_id')
        .select(['a.id', 'a.action', 'a.target_type', 'a.target_id', 'a.details', 'a.created_at', 'u.display_name', 'u.email', 'k.name as key_name'])
        .orderBy('a.created_at', 'desc').orderBy('a.id', 'desc').offset(window.offset).limit(window.limit).execute();
      const count = await trx.selectFrom('audit_log').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
      return toConnection(rows.map((r) => Object.assign(new AuditEntry(), {
        id: r.id, action: r.action, actorName: r.display_name ?? null, actorEmail: r.email ?? null, actorKeyName: r.key_name ?? null,
        targetType: r.target_type, targetId: r.target_id, details: (r.details ?? {}) as Record<string, unknown>, createdAt: r.created_at,
      })), window, Number(count.n));
    });
  }
}
