// Revoked credentials, announced to every API process: a revoked API key (or a removed member's
// keys) ends the open subscriptions made with it — and with console sessions opened with it —
// and a signed-out console session ends its own, within the time a NOTIFY takes. The notice
// rides on the run-events channel (one LISTEN connection per process) and is delivered at
// commit, like run events.
import { sql, type Kysely, type Transaction } from 'kysely';
import { RUN_EVENTS_CHANNEL } from './types.ts';

/** Local topic a process publishes when key `keyId` was revoked (in any process). */
export const revokedKeyTopic = (keyId: string): string => `revoked-key:${keyId}`;

/** Inside the revoking transaction: tells every process that these keys no longer work. */
export async function announceRevokedKeys(trx: Transaction<any> | Kysely<any>, keyIds: string[]): Promise<void> {
  for (const keyId of keyIds) {
    await sql`select pg_notify(${RUN_EVENTS_CHANNEL}, ${JSON.stringify({ revokedKeyId: keyId })})`.execute(trx);
  }
}

/** The key id of a revocation notice, or null when the payload is something else. */
export function parseRevocation(payload: string): string | null {
  try {
    const value = JSON.parse(payload) as { revokedKeyId?: unknown };
    return typeof value.revokedKeyId === 'string' ? value.revokedKeyId : null;
  } catch {
    return null;
  }
}

/** Local topic a process publishes when the console session with nonce `nonce` was signed out. */
export const signedOutSessionTopic = (nonce: string): string => `signed-out-session:${nonce}`;

export interface SignOutNotice {
  /** The session's nonce (SessionClaims.n). */
  nonce: string;
  /** When the session would have expired, unix seconds. */
  expires: number;
}

/** Inside the transaction that records a sign-out: tells every process the session is over. */
export async function announceSignedOutSession(trx: Transaction<any> | Kysely<any>, notice: SignOutNotice): Promise<void> {
  await sql`select pg_notify(${RUN_EVENTS_CHANNEL}, ${JSON.stringify({ signedOutSession: notice.nonce, expires: notice.expires })})`.execute(trx);
}

/** The sign-out of a notice, or null when the payload is something else. */
export function parseSignOut(payload: string): SignOutNotice | null {
  try {
    const value = JSON.parse(payload) as { signedOutSession?: unknown; expires?: unknown };
    return typeof value.signedOutSession === 'string' && typeof value.expires === 'number' ? { nonce: value.signedOutSession, expires: value.expires } : null;
  } catch {
    return null;
  }
}
