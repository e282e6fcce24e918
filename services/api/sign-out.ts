// Signing a console session out on every API process: the sign-out is recorded in the database
// (signed_out_sessions, until the session would have expired) and announced with a NOTIFY in the
// same transaction. Every process adds announced sign-outs to its SignedOutSessions set (so the
// cookie stops working there at once), reloads the set from the database at start and after a
// LISTEN reconnect (when notices may have been lost), and ends the session's open subscriptions
// (services/api/resolvers/runs.ts, through the hub's watchKey).
import type { Kysely } from 'kysely';
import type { DB } from '../db/types/index.ts';
import { announceSignedOutSession } from '../events/revocations.ts';
import type { RunEventHub } from '../events/hub.ts';
import type { SessionClaims, SignedOutSessions } from './session.ts';

/** Records the sign-out and tells every process (owner connection: not tenant data). */
export async function recordSignOut(db: Kysely<DB>, claims: SessionClaims): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx.deleteFrom('signed_out_sessions').where('expires_at', '<=', new Date()).execute();
    await trx.insertInto('signed_out_sessions').values({ nonce: claims.n, expires_at: new Date(claims.e * 1000) })
      .onConflict((oc) => oc.column('nonce').doNothing()).execute();
    await announceSignedOutSession(trx, { nonce: claims.n, expires: claims.e });
  });
}

/** True when the session with this nonce was signed out (in any process). */
export async function isSignedOut(db: Kysely<DB>, nonce: string): Promise<boolean> {
  return (await db.selectFrom('signed_out_sessions').select('nonce').where('nonce', '=', nonce).executeTakeFirst()) !== undefined;
}

/** Keeps `set` current: loads the recorded sign-outs now and after every LISTEN gap, and adds
 * each announced one. Returns the function that stops. */
export async function followSignOuts(db: Kysely<DB>, hub: RunEventHub, set: SignedOutSessions, log: (line: string) => void): Promise<() => void> {
  const load = async (): Promise<void> => {
    const rows = await db.selectFrom('signed_out_sessions').select(['nonce', 'expires_at']).where('expires_at', '>', new Date()).execute();
    for (const row of rows) set.endNonce(row.nonce, row.expires_at.getTime() / 1000);
  };
  const offSignOut = hub.onSignOut((notice) => set.endNonce(notice.nonce, notice.expires));
  const offGap = hub.onGap(() => {
    load().catch((error: unknown) => log(`reloading signed-out sessions failed: ${(error as Error).message}`));
  });
  await load();
  return () => {
    offSignOut();
    offGap();
  };
}
