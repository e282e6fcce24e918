// Where NOTIFY payloads come from. On a real PostgreSQL server a dedicated connection LISTENs (so
// several API processes serve subscribers of one run). Embedded PGlite is one in-process session
// that the pool's single client owns; its notifications surface as 'notification' events on that
// pg client, which `Database` does not expose, so we observe them on pg.Client's prototype.
import { sql } from 'kysely';
import pg from 'pg';
import type { Database } from '../db/database.ts';

export interface NotificationSource {
  /** Delivers every payload sent on `channel`; `onGap` runs when notifications may have been lost. */
  listen(channel: string, onPayload: (payload: string) => void, onGap: () => void): Promise<() => Promise<void>>;
}

/** LISTEN on a dedicated connection to a real server, reconnecting with back-off after errors. */
export function postgresNotificationSource(connectionString: string): NotificationSource {
  return {
    async listen(channel, onPayload, onGap) {
      let client: pg.Client | null = null;
      let stopped = false;
      let retryTimer: NodeJS.Timeout | undefined;
      const connect = async (): Promise<void> => {
        const c = new pg.Client({ connectionString });
        c.on('notification', (message) => {
          if (message.channel === channel && message.payload !== undefined) onPayload(message.payload);
        });
        c.on('error', () => scheduleReconnect());
        await c.connect();
        await c.query(`LISTEN ${channel}`);
        client = c;
      };
      const scheduleReconnect = (): void => {
        if (stopped || retryTimer) return;
        const old = client;
        client = null;
        void old?.end().catch(() => undefined);
        retryTimer = setTimeout(() => {
          retryTimer = undefined;
          connect()
            .then(onGap)
            .catch(() => scheduleReconnect());
        }, 500);
        retryTimer.unref();
      };
      await connect();
      return async () => {
        stopped = true;
        if (retryTimer) clearTimeout(retryTimer);
        await (client as pg.Client | null)?.end().catch(() => undefined);
      };
    },
  };
}

type NotificationHandler = (message: pg.Notification) => void;
const pgliteHandlers = new Set<NotificationHandler>();
let prototypeHooked = false;

function hookPgClientNotifications(): void {
  if (prototypeHooked) return;
  prototypeHooked = true;
  const proto = pg.Client.prototype as unknown as { emit: (event: string | symbol, ...args: unknown[]) => boolean };
  const original = proto.emit;
  proto.emit = function (this: unknown, event: string | symbol, ...args: unknown[]): boolean {
    if (event === 'notification') for (const handler of pgliteHandlers) handler(args[0] as pg.Notification);
    return original.call(this, event, ...args);
  };
}

/** Notifications of the embedded database: LISTEN on its one session, observe its client. */
export function pgliteNotificationSource(database: Database): NotificationSource {
  return {
    async listen(channel, onPayload) {
      hookPgClientNotifications();
      const handler: NotificationHandler = (message) => {
        if (message.channel === channel && message.payload !== undefined) onPayload(message.payload);
      };
      pgliteHandlers.add(handler);
      await sql.raw(`LISTEN ${channel}`).execute(database.db);
      return async () => {
        pgliteHandlers.delete(handler);
      };
    },
  };
}

/**
 * The source for an open database. For PostgreSQL the listener needs a connection string to the
 * SAME database kysely uses: `databaseUrl` with its database name replaced by current_database()
 * (test databases are created under random names).
 */
export async function notificationSourceFor(database: Database, databaseUrl: string | undefined): Promise<NotificationSource> {
  if (database.kind === 'pglite') return pgliteNotificationSource(database);
  const url = databaseUrl ?? process.env.DATABASE_URL;
  if (!url) throw new Error('DATABASE_URL is needed to LISTEN for run events on PostgreSQL');
  const { rows } = await sql<{ name: string }>`select current_database() as name`.execute(database.db);
  const target = new URL(url);
  target.pathname = `/${rows[0]!.name}`;
  return postgresNotificationSource(target.toString());
}
