// Descriptions of the committed histories in tests/fixtures/histories/. Regenerate the JSON with
//   npx tsx tests/workflows/generate-histories.ts
// ONLY when the history format itself must change — a history records what production runs did;
// an orchestration change must keep replaying these (guard it with patched()).
import type { ActivityStep, HistoryScenario, ScriptLine } from './history-builder.ts';
import type { PlannedCandidate } from '../../workflows/types.ts';

const input = { orgId: '11111111-1111-4111-8111-111111111111', runId: '22222222-2222-4222-8222-222222222222', hardwareClass: 'cpu' as const };

const validated = {
  model: { format: 'keras-h5', parameterCount: 101770, inputShape: [28, 28, 1], outputShape: [10] },
  dataset: { format: 'npz', numClasses: 10, sampleCount: 2000, inputShape: [28, 28, 1] },
  targets: ['cpu-int8', 'mcu-int8'],
};
const baseline = { accuracy: 0.91, parameterCount: 101770, bytes: 409_000, hostLatencyMs: 0.4 };
const candidates: PlannedCandidate[] = [
  { key: 'quantize/cpu-int8', chain: [{ plugin: 'quantization', config: {} }], target: 'cpu-int8', quantization: 'int8' },
  { key: 'prune+quantize/mcu-int8', chain: [{ plugin: 'pruning', config: { sparsity: 0.5 } }], target: 'mcu-int8', quantization: 'int8' },
];

function candidateSteps(c: PlannedCandidate, index: number, override: Partial<Record<'compress', Partial<ActivityStep>>> = {}): ActivityStep[] {
  const compressed = { modelSha256: `${'a'.repeat(63)}${index}`, notes: [] };
  const exported = {
    tfliteSha256: `${'b'.repeat(63)}${index}`,
    tfjsSha256: `${'c'.repeat(63)}${index}`,
    bytes: 110_000,
    ops: ['FULLY_CONNECTED', 'SOFTMAX'],
    tensorTypes: ['INT8', 'INT32'],
    peakActivationBytes: 2048,
    quantization: c.quantization,
  };
  const evaluation = { accuracy: 0.9, hostLatencyMs: 0.2, macs: 100_000, parameterCount: 101770, fit: { fits: true, failures: [], estimatedLatencyMs: 1.5 } };
  return [
    { type: 'compressCandidate', result: compressed, ...override.compress },
    { type: 'exportCandidate', result: exported },
    { type: 'evaluateCandidate', result: evaluation },
    { type: 'storeCandidate', result: { candidateId: `cand-${index}` } },
  ];
}

const prelude: ActivityStep[] = [
  { type: 'validateInputs', result: validated },
  { type: 'evaluateBaseline', result: baseline },
  { type: 'planCandidates', result: { candidates } },
];

const succeeded = {
  status: 'succeeded',
  candidates: [
    { key: candidates[0]!.key, candidateId: 'cand-0', ok: true },
    { key: candidates[1]!.key, candidateId: 'cand-1', ok: true },
  ],
};

export const scenarios: HistoryScenario[] = [
  {
    name: 'happy-path',
    description: 'Two candidates compressed, exported, evaluated and stored; run finished.',
    workflowType: 'compressionRun',
    input,
    steps: [...prelude, ...candidateSteps(candidates[0]!, 0), ...candidateSteps(candidates[1]!, 1), { type: 'finishRun', result: { paretoCandidateIds: ['cand-0', 'cand-1'] } }],
    result: succeeded,
  },
  {
    name: 'failing-candidate',
    description: 'The first candidate\'s plugin fails (non-retryable PluginFailure): it is stored as failed, the second candidate still runs.',
    workflowType: 'compressionRun',
    input,
    steps: [
      ...prelude,
      { type: 'compressCandidate', failure: { type: 'PluginFailure', message: 'plugin "quantization" threw: boom' } },
      { type: 'storeCandidate', result: { candidateId: 'cand-0' } },
      ...candidateSteps(candidates[1]!, 1),
      { type: 'finishRun', result: { paretoCandidateIds: ['cand-1'] } },
    ],
    result: {
      status: 'succeeded',
      candidates: [
        { key: candidates[0]!.key, candidateId: 'cand-0', ok: false },
        { key: candidates[1]!.key, candidateId: 'cand-1', ok: true },
      ],
    },
  },
  {
    name: 'cancelled',
    description: 'The run is cancelled while the first candidate trains; the workflow cancels the activity and finishes the run as cancelled.',
    workflowType: 'compressionRun',
    input,
    steps: [...prelude, { type: 'compressCandidate', cancelledWhileRunning: true }, { type: 'finishRun', result: { paretoCandidateIds: [] } }],
    result: { status: 'cancelled', candidates: [], message: 'cancelled by request' },
  },
  {
    name: 'retried-activity',
    description: 'The first candidate\'s training activity lost its worker twice and completed on attempt 3 (resuming from heartbeat details).',
    workflowType: 'compressionRun',
    input,
    steps: [...prelude, ...candidateSteps(candidates[0]!, 0, { compress: { attempt: 3 } }), ...candidateSteps(candidates[1]!, 1), { type: 'finishRun', result: { paretoCandidateIds: ['cand-0', 'cand-1'] } }],
    result: succeeded,
  },
];

// The step-graph orchestration (workflows/orchestration.ts, patch 'parallel-steps') at
// maxParallel 2: two distillation candidates share one joint step (s1), a pruning candidate has
// its own (s2). Both steps run at once; s2 finishes first, so candidate C is exported while s1
// still trains; completions then keep arriving out of scheduling order.
const graphCandidates: PlannedCandidate[] = [
  { key: 'cpu-int8:distill-large+int8', chain: [{ plugin: 'distillation', config: { students: ['large', 'small'] }, pick: 'student-large' }], target: 'cpu-int8', quantization: 'int8' },
  { key: 'cpu-int8:distill-small+int8', chain: [{ plugin: 'distillation', config: { students: ['large', 'small'] }, pick: 'student-small' }], target: 'cpu-int8', quantization: 'int8' },
  { key: 'cpu-int8:prune-50+int8', chain: [{ plugin: 'pruning', config: { targetSparsity: 0.5 } }], target: 'cpu-int8', quantization: 'int8' },
];
const [A, B, C] = graphCandidates.map((c) => c.key) as [string, string, string];
const sha = (ch: string, i: number) => `${ch.repeat(63)}${i}`;
const exportedAs = (i: number) => ({
  tfliteSha256: sha('b', i), tfjsSha256: sha('c', i), bytes: 20_000 + i, ops: ['CONV_2D', 'FULLY_CONNECTED', 'SOFTMAX'], tensorTypes: ['INT8', 'INT32'], peakActivationBytes: 4096, quantization: 'int8',
});
const evaluated = (accuracy: number) => ({ accuracy, sourceAccuracy: accuracy, hostLatencyMs: 0.1, macs: 50_000, parameterCount: 5000, fit: { fits: true, failures: [], estimatedLatencyMs: 0.8 } });
const act = (ref: string, type: ActivityStep['type'], result: unknown): ScriptLine => ({ schedule: { ref, type, result } });
const graphScript: ScriptLine[] = [
  act('validate', 'validateInputs', validated), { complete: 'validate' },
  act('baseline', 'evaluateBaseline', baseline), { complete: 'baseline' },
  act('plan', 'planCandidates', { candidates: graphCandidates }), { complete: 'plan' },
  { patch: 'parallel-steps' },
  act('s1', 'runStep', { key: 'd'.repeat(64), source: 'ran', outputs: [{ name: 'student-large', modelSha256: sha('a', 1) }, { name: 'student-small', modelSha256: sha('a', 2) }] }),
  act('s2', 'runStep', { key: 'e'.repeat(64), source: 'ran', outputs: [{ name: 'pruned', modelSha256: sha('a', 3), notes: 'pruned 50%' }] }),
  { complete: 's2' }, act('exportC', 'exportCandidate', exportedAs(3)),
  { complete: 's1' }, act('exportA', 'exportCandidate', exportedAs(1)),
  { complete: 'exportC' }, act('evaluateC', 'evaluateCandidate', evaluated(0.9)),
  { complete: 'exportA' }, act('evaluateA', 'evaluateCandidate', evaluated(0.92)),
  { complete: 'evaluateA' }, act('storeA', 'storeCandidate', { candidateId: 'cand-A' }),
  { complete: 'evaluateC' }, act('storeC', 'storeCandidate', { candidateId: 'cand-C' }),
  { complete: 'storeA' }, act('exportB', 'exportCandidate', exportedAs(2)),
  { complete: 'storeC' },
  { complete: 'exportB' }, act('evaluateB', 'evaluateCandidate', evaluated(0.88)),
  { complete: 'evaluateB' }, act('storeB', 'storeCandidate', { candidateId: 'cand-B' }),
  { complete: 'storeB' }, act('finish', 'finishRun', { paretoCandidateIds: ['cand-A', 'cand-C'] }),
  { complete: 'finish' },
];

scenarios.push({
  name: 'parallel-steps',
  description: 'Step graph at maxParallel 2: one joint distillation step for two candidates and a pruning step run at once; activities complete out of scheduling order.',
  workflowType: 'compressionRun',
  input: { ...input, maxParallel: 2 },
  steps: [],
  script: graphScript,
  result: { status: 'succeeded', candidates: [{ key: A, candidateId: 'cand-A', ok: true }, { key: B, candidateId: 'cand-B', ok: true }, { key: C, candidateId: 'cand-C', ok: true }] },
});

// Critical-path starts (patch 'critical-path') at maxParallel 2. In plan order the steps are a
// quantization check (s1), a pruning step (s2) and prune → distill (s3 → s4); the orchestration
// starts the longest chain first (s3, then s2), gives the slot s2 frees to s1, the one s3 frees
// to s4, and exports the candidates as their last steps finish.
const pathCandidates: PlannedCandidate[] = [
  { key: 'cpu-int8:quantize+int8', chain: [{ plugin: 'quantization', config: { modes: ['int8'] } }], target: 'cpu-int8', quantization: 'int8' },
  { key: 'cpu-int8:prune-50+int8', chain: [{ plugin: 'pruning', config: { targetSparsity: 0.5, epochs: 1 } }], target: 'cpu-int8', quantization: 'int8' },
  {
    key: 'cpu-int8:prune-60-distill+int8',
    chain: [{ plugin: 'pruning', config: { targetSparsity: 0.6, epochs: 1 } }, { plugin: 'distillation', config: { students: ['self'], budgetSeconds: 20 } }],
    target: 'cpu-int8', quantization: 'int8',
  },
];
const [Q, P, PD] = pathCandidates.map((c) => c.key) as [string, string, string];
const stepOut = (name: string, i: number) => ({ key: `${'f'.repeat(63)}${i}`, source: 'ran', outputs: [{ name, modelSha256: sha('a', i) }] });
const pathScript: ScriptLine[] = [
  act('validate', 'validateInputs', validated), { complete: 'validate' },
  act('baseline', 'evaluateBaseline', baseline), { complete: 'baseline' },
  act('plan', 'planCandidates', { candidates: pathCandidates }), { complete: 'plan' },
  { patch: 'parallel-steps' },
  { patch: 'critical-path' },
  act('s3', 'runStep', stepOut('pruned-structured-60', 3)),
  act('s2', 'runStep', stepOut('pruned-structured-50', 2)),
  { complete: 's2' }, act('s1', 'runStep', stepOut('quantized-int8', 1)),
  { complete: 's3' }, act('s4', 'runStep', stepOut('student-self', 4)),
  { complete: 's1' }, act('exportQ', 'exportCandidate', exportedAs(1)),
  { complete: 'exportQ' }, act('evaluateQ', 'evaluateCandidate', evaluated(0.91)),
  { complete: 's4' }, act('exportP', 'exportCandidate', exportedAs(2)),
  { complete: 'evaluateQ' }, act('storeQ', 'storeCandidate', { candidateId: 'cand-Q' }),
  { complete: 'storeQ' }, act('exportPD', 'exportCandidate', exportedAs(3)),
  { complete: 'exportP' }, act('evaluateP', 'evaluateCandidate', evaluated(0.9)),
  { complete: 'exportPD' }, act('evaluatePD', 'evaluateCandidate', evaluated(0.89)),
  { complete: 'evaluatePD' }, act('storePD', 'storeCandidate', { candidateId: 'cand-PD' }),
  { complete: 'evaluateP' }, act('storeP', 'storeCandidate', { candidateId: 'cand-P' }),
  { complete: 'storePD' },
  { complete: 'storeP' }, act('finish', 'finishRun', { paretoCandidateIds: ['cand-Q', 'cand-P', 'cand-PD'] }),
  { complete: 'finish' },
];

scenarios.push({
  name: 'critical-path',
  description: 'Step graph at maxParallel 2 with critical-path starts: prune → distill starts before the plan\'s earlier steps; completions arrive out of order.',
  workflowType: 'compressionRun',
  input: { ...input, maxParallel: 2 },
  steps: [],
  script: pathScript,
  result: { status: 'succeeded', candidates: [{ key: Q, candidateId: 'cand-Q', ok: true }, { key: P, candidateId: 'cand-P', ok: true }, { key: PD, candidateId: 'cand-PD', ok: true }] },
});
