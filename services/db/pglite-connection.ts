// node-postgres connection to an embedded PGlite that hands PGlite whole exchanges at a time.
//
// PGlite's own adapter (@electric-sql/pglite/node-postgres) passes every protocol message to
// `execProtocolStream` separately: a parameterised query is five calls into the wasm database
// (Parse, Bind, Describe, Execute, Sync), and each call has a fixed cost far above that of the
// message itself. This subclass keeps the adapter's connect/end behaviour but collects messages
// until Sync, Flush or a simple Query and sends them in one call — what a socket gives a real
// server. The answers are emitted exactly as the adapter does, so pg.Client sees no difference.
import { createRequire } from 'node:module';
import type { PGlite } from '@electric-sql/pglite';
import { PglitePgConnection } from '@electric-sql/pglite/node-postgres';

// pg's own message serialiser (the pg-protocol that pg depends on).
const requireFromPg = createRequire(createRequire(import.meta.url).resolve('pg'));
const { serialize } = requireFromPg('pg-protocol') as { serialize: Record<string, (...args: never[]) => Buffer> };

type Message = { name: string };

export class CoalescingPgliteConnection extends PglitePgConnection {
  private readonly db: PGlite;
  private pending: Buffer[] = [];
  private sending: Promise<unknown> = Promise.resolve();

  constructor(options: { pglite: PGlite }) {
    super(options);
    this.db = options.pglite;
  }

  override query(text: string): void {
    this.pending.push(serialize.query!(text as never));
    this.send();
  }

  override parse(query: unknown): void {
    this.pending.push(serialize.parse!(query as never));
  }

  override bind(config: unknown): void {
    this.pending.push(serialize.bind!(config as never));
  }

  override describe(msg: unknown): void {
    this.pending.push(serialize.describe!(msg as never));
  }

  override execute(config: unknown): void {
    this.pending.push(serialize.execute!(config as never));
  }

  override close(msg: unknown): void {
    this.pending.push(serialize.close!(msg as never));
  }

  override flush(): void {
    this.pending.push(serialize.flush!());
    this.send();
  }

  override sync(): void {
    this.pending.push(serialize.sync!());
    this.send();
  }

  private send(): void {
    const bytes = this.pending.length === 1 ? this.pending[0]! : Buffer.concat(this.pending);
    this.pending = [];
    this.sending = this.sending
      .then(() => this.db.execProtocolStream(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), { throwOnError: false }))
      .then((messages: Message[]) => {
        const raw = this.listenerCount('message') > 0;
        for (const message of messages) {
          if (raw) this.emit('message', message);
          this.emit(message.name === 'error' ? 'errorMessage' : message.name, message);
        }
      })
      .catch((error: unknown) => {
        this.emit('error', error);
      });
  }
}
