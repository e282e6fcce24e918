// Reading the rollout in force on a channel.
import type { Kysely } from 'kysely';
import type { DB } from '../db/types/index.ts';

export function currentRollout(trx: Kysely<DB>, projectId: string, channel: string) {
  return trx.selectFrom('channel_rollouts').selectAll().where('project_id', '=', projectId).where('channel', '=', channel)
    .orderBy('created_at', 'desc').orderBy('id', 'desc').limit(1).executeTakeFirst();
}
