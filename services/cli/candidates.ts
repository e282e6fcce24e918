// `condense candidates --run <id>`: a run's candidates as a Condense server reports them, with the
// latency apps measured on devices beside the estimate. Talks GraphQL to CONDENSE_URL with
// CONDENSE_API_KEY (or --server / --api-key).
import { CliError } from './errors.ts';
import { formatCandidateTable, type CandidateRow } from './table.ts';

export interface CandidatesOptions {
  run: string;
  server?: string;
  apiKey?: string;
  json?: boolean;
}

const QUERY = `query($id: ID!) { node(id: $id) { ... on CompressionRun { id status candidates(first: 100) { edges { node {
  key status quantization pareto
  targetFit { target fits failures { rule message } }
  metrics { accuracy sourceAccuracy bytes downloadBytes compressionRatio estimatedLatencyMs hostLatencyMs }
  failure { message }
  fieldStats { overall { reports latencyP50Ms latencyP90Ms } }
} } } } } }`;

interface ApiCandidate {
  key: string;
  status: string;
  quantization: string | null;
  pareto: boolean;
  targetFit: { target: string; fits: boolean | null; failures: Array<{ rule: string; message: string }> };
  metrics: { accuracy: number | null; sourceAccuracy: number | null; bytes: number | null; downloadBytes: number | null; compressionRatio: number | null; estimatedLatencyMs: number | null; hostLatencyMs: number | null };
  failure: { message: string } | null;
  fieldStats: { overall: { reports: number; latencyP50Ms: number | null; latencyP90Ms: number | null } } | null;
}

export async function candidatesCommand(options: CandidatesOptions, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const server = options.server ?? env.CONDENSE_URL;
  const apiKey = options.apiKey ?? env.CONDENSE_API_KEY;
  if (!server) throw new CliError('no server given', 'pass --server https://… or set CONDENSE_URL');
  if (!apiKey) throw new CliError('no API key given', 'pass --api-key or set CONDENSE_API_KEY (create one in the console or with createApiKey)');
  let res: Response;
  try {
    res = await fetch(new URL('/graphql', server), {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` },
      body: JSON.stringify({ query: QUERY, variables: { id: options.run } }),
    });
  } catch (error) {
    throw new CliError(`cannot reach ${server}: ${(error as Error).cause instanceof Error ? ((error as Error).cause as Error).message : (error as Error).message}`, 'check --server / CONDENSE_URL');
  }
  const body = (await res.json().catch(() => null)) as { data?: { node: { candidates: { edges: { node: ApiCandidate }[] } } | null }; errors?: { message: string }[] } | null;
  if (!body) throw new CliError(`${server} answered ${res.status} without a GraphQL response`, 'check --server / CONDENSE_URL');
  if (body.errors?.length) throw new CliError(`the server refused: ${body.errors[0]!.message}`);
  const run = body.data?.node;
  if (!run?.candidates) throw new CliError(`no run ${options.run} in your organization`, 'copy the run id from the console or from startRun');
  const candidates = run.candidates.edges.map((e) => e.node);
  if (options.json) {
    process.stdout.write(`${JSON.stringify(candidates, null, 2)}\n`);
    return;
  }
  const rows: CandidateRow[] = candidates.map((c) => ({
    key: c.key, target: c.targetFit.target, status: c.status.toLowerCase(), quantization: c.quantization,
    accuracy: c.metrics.accuracy, sourceAccuracy: c.metrics.sourceAccuracy, bytes: c.metrics.bytes, downloadBytes: c.metrics.downloadBytes,
    compressionRatio: c.metrics.compressionRatio, estimatedLatencyMs: c.metrics.estimatedLatencyMs, hostLatencyMs: c.metrics.hostLatencyMs,
    fits: c.targetFit.fits, fitFailures: c.targetFit.failures, pareto: c.pareto, failure: c.failure?.message ?? null, file: null,
    field: c.fieldStats ? { latencyP50Ms: c.fieldStats.overall.latencyP50Ms, reports: c.fieldStats.overall.reports } : null,
  }));
  process.stdout.write(`${formatCandidateTable(rows)}\n`);
}
