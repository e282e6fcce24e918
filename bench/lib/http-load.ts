// Load generator for bench/api.ts, run as its own process so the server's figures are not
// the generator's: CLIENTS keep-alive HTTP clients POST GraphQL documents for SECONDS and
// report, per kind of request, the latencies and failures as one JSON line on stdout.
//
// Input: one JSON argument, a LoadPlan. Each client repeats its script (a list of steps) until
// the time is up; a step's body may contain `$N` (a per-process counter), so names and
// idempotency keys stay unique across iterations and across runs (`$RUN` is a per-run token).
import { Agent, request } from 'node:http';

export interface LoadStep {
  /** Kind the latency is recorded under, e.g. "query" or "write". */
  kind: string;
  /** GraphQL request body (JSON text); `$N` and `$RUN` are substituted per request. */
  body: string;
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

export function runLoad(plan: LoadPlan): Promise<LoadResult> {
  const url = new URL(plan.url);
  const agent = new Agent({ keepAlive: true, maxSockets: plan.clients });
  const run = Math.random().toString(36).slice(2, 10);
  let counter = 0;
  const kinds: Record<string, KindResult> = {};
  const record = (kind: string) => (kinds[kind] ??= { latenciesMs: [], failures: 0 });

  const post = (body: string): Promise<{ status: number; text: string }> =>
    new Promise((resolve, reject) => {
      const req = request(
        {
          agent, host: url.hostname, port: url.port, path: url.pathname, method: 'POST',
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), authorization: `Bearer ${plan.key}` },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(body);
    });

  const until = Date.now() + plan.seconds * 1000;
  const started = performance.now();
  const cpuStart = process.cpuUsage();
  const client = async (script: LoadStep[]) => {
    while (Date.now() < until) {
      for (const step of script) {
        const n = String(++counter);
        const body = step.body.replaceAll('$N', n).replaceAll('$RUN', run);
        const result = record(step.kind);
        const t0 = performance.now();
        try {
          const res = await post(body);
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
    agent.destroy();
    const cpu = process.cpuUsage(cpuStart);
    return { elapsedSeconds: (performance.now() - started) / 1000, cpuMs: (cpu.user + cpu.system) / 1000, kinds };
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const plan = JSON.parse(process.argv[2] ?? '') as LoadPlan;
  const result = await runLoad(plan);
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
