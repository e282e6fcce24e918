// Load generator for bench/api.ts, run as its own process so the server's figures are not
// the generator's: CLIENTS keep-alive HTTP clients POST GraphQL documents for SECONDS and
// report, per kind of request, the latencies and failures as one JSON line on stdout.
// Each client is one keep-alive socket speaking just the HTTP/1.1 it needs (a request written at
// once, a response read by Content-Length) — like wrk, it costs a fraction of node:http's CPU,
// which on a 2-core machine is CPU the server under test does not get.
//
// Input: one JSON argument, a LoadPlan. Each client repeats its script (a list of steps) until
// the time is up; a step's body may contain `$N` (a per-process counter), so names and
// idempotency keys stay unique across iterations and across runs (`$RUN` is a per-run token).
import { connect, type Socket } from 'node:net';

export interface LoadStep {
  /** Kind the latency is recorded under, e.g. "query" or "write". */
  kind: string;
  /** GraphQL request body (JSON text); `$N` and `$RUN` are substituted per request. */
  body: string;
  /** API key for this step (default: the plan's). */
  key?: string;
}

export interface LoadPlan {
  url: string;
  key: string;
  seconds: number;
  /** scripts[i % scripts.length] is client i's script. */
  scripts: LoadStep[][];
  clients: number;
}

export interface KindResult {
  latenciesMs: number[];
  failures: number;
  firstFailure?: string;
}

export interface LoadResult {
  elapsedSeconds: number;
  /** CPU milliseconds the load generator itself used while generating the load. */
  cpuMs: number;
  kinds: Record<string, KindResult>;
}

/** One keep-alive HTTP/1.1 connection; one request at a time; reconnects after the server closes it. */
class Connection {
  private socket: Socket | null = null;
  private buffer: Buffer = Buffer.alloc(0);
  private waiting: { resolve: (r: { status: number; text: string }) => void; reject: (e: Error) => void } | null = null;

  constructor(
    private readonly host: string,
    private readonly port: number,
  ) {}

  request(bytes: Buffer): Promise<{ status: number; text: string }> {
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
      (this.socket ??= this.open()).write(bytes);
    });
  }

  close(): void {
    this.socket?.destroy();
  }

  private open(): Socket {
    const socket = connect({ host: this.host, port: this.port });
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
      this.parse();
    });
    const lost = (error: Error) => {
      if (this.socket === socket) this.socket = null;
      this.buffer = Buffer.alloc(0);
      const waiting = this.waiting;
      this.waiting = null;
      waiting?.reject(error);
    };
    socket.on('error', lost);
    socket.on('close', () => lost(new Error('connection closed by the server')));
    return socket;
  }

  private parse(): void {
    const end = this.buffer.indexOf('\r\n\r\n');
    if (end < 0 || !this.waiting) return;
    const head = this.buffer.toString('latin1', 0, end);
    const length = /\r\ncontent-length:\s*(\d+)/i.exec(head);
    if (!length) {
      const waiting = this.waiting;
      this.waiting = null;
      this.socket?.destroy();
      waiting.reject(new Error(`response without Content-Length: ${head.split('\r\n')[0]}`));
      return;
    }
    const total = end + 4 + Number(length[1]);
    if (this.buffer.length < total) return;
    const text = this.buffer.toString('utf8', end + 4, total);
    this.buffer = this.buffer.subarray(total);
    const waiting = this.waiting;
    this.waiting = null;
    waiting.resolve({ status: Number(head.slice(9, 12)), text });
  }
}

export function runLoad(plan: LoadPlan): Promise<LoadResult> {
  const url = new URL(plan.url);
  const host = url.hostname;
  const port = Number(url.port);
  const run = Math.random().toString(36).slice(2, 10);
  let counter = 0;
  const kinds: Record<string, KindResult> = {};
  const record = (kind: string) => (kinds[kind] ??= { latenciesMs: [], failures: 0 });
  const head = (key: string) => `POST ${url.pathname} HTTP/1.1\r\nHost: ${url.host}\r\nContent-Type: application/json\r\nAuthorization: Bearer ${key}\r\nConnection: keep-alive\r\n`;
  const connections: Connection[] = [];
  const requestBytes = (body: string, key: string): Buffer => Buffer.from(`${head(key)}Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);

  const until = Date.now() + plan.seconds * 1000;
  const started = performance.now();
  const cpuStart = process.cpuUsage();
  const client = async (script: LoadStep[]) => {
    const connection = new Connection(host, port);
    connections.push(connection);
    while (Date.now() < until) {
      for (const step of script) {
        const n = String(++counter);
        const body = step.body.replaceAll('$N', n).replaceAll('$RUN', run);
        const result = record(step.kind);
        const t0 = performance.now();
        try {
          const res = await connection.request(requestBytes(body, step.key ?? plan.key));
          const parsed = JSON.parse(res.text) as { errors?: unknown; data?: Record<string, { userErrors?: unknown[] } | null> };
          const userErrors = Object.values(parsed.data ?? {}).flatMap((v) => v?.userErrors ?? []);
          if (res.status !== 200 || parsed.errors || userErrors.length > 0) {
            result.failures++;
            result.firstFailure ??= res.text.slice(0, 300);
          }
        } catch (error) {
          result.failures++;
          result.firstFailure ??= (error as Error).message;
        }
        result.latenciesMs.push(performance.now() - t0);
      }
    }
  };
  return Promise.all(Array.from({ length: plan.clients }, (_, i) => client(plan.scripts[i % plan.scripts.length]!))).then(() => {
    for (const connection of connections) connection.close();
    const cpu = process.cpuUsage(cpuStart);
    return { elapsedSeconds: (performance.now() - started) / 1000, cpuMs: (cpu.user + cpu.system) / 1000, kinds };
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const plan = JSON.parse(process.argv[2] ?? '') as LoadPlan;
  const result = await runLoad(plan);
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
