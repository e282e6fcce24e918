// validateInputs: the run's model imports, its dataset reads, the two agree on shapes and
// classes, and every target exists. Any mismatch is bad input: non-retryable, one clear line.
import { getTarget } from '../targets/index.ts';
import { withTenant } from '../db/tenant.ts';
import { markRunStarted, setRunPhase } from '../runs-store/index.ts';
import type { RunRef, ValidatedRun } from '../../workflows/types.ts';
import { NonRetryableError, type ActivityContext } from './context.ts';
import type { ActivityDeps } from './deps.ts';
import { asInputError, loadBaseModel, loadDataset, loadRun } from './inputs.ts';
import { checkClassCount } from '../engine/evaluate/index.ts';

const dims = (shape: readonly (number | null)[]) => shape.slice(1).map((d) => d ?? -1);

export async function validateInputs(deps: ActivityDeps, ctx: ActivityContext, ref: RunRef): Promise<ValidatedRun> {
  const run = await loadRun(deps, ref);
  await withTenant(deps.db, ref.orgId, async (trx) => {
    await markRunStarted(trx, ref);
    await setRunPhase(trx, { ...ref, phase: 'validating' });
  });
  ctx.heartbeat();
  const model = await loadBaseModel(deps, run);
  try {
    const dataset = await loadDataset(deps, run);
    const info = dataset.info;
    const bad = (message: string) => new NonRetryableError('InvalidInput', message);
    if (model.inputs.length !== 1 || model.outputs.length !== 1) {
      throw bad(`${run.model.filename}: models with ${model.inputs.length} inputs and ${model.outputs.length} outputs are not supported; one input and one output are`);
    }
    const inputShape = dims(model.inputs[0]!.shape);
    const outputShape = dims(model.outputs[0]!.shape);
    const size = (s: number[]) => s.reduce((a, b) => a * b, 1);
    if (inputShape.some((d) => d < 0) ? inputShape.length !== info.inputShape.length : size(inputShape) !== size(info.inputShape)) {
      throw bad(`model input shape [${inputShape.join(', ')}] does not match the dataset's samples [${info.inputShape.join(', ')}]`);
    }
    const mismatch = checkClassCount(model, info.numClasses);
    if (mismatch) throw bad(`${mismatch} (${run.dataset.filename})`);
    if (info.splits.test === 0) throw bad(`${run.dataset.filename}: the test split is empty; accuracy cannot be measured`);
    if (run.targets.length === 0) throw bad('the run names no hardware target');
    for (const id of run.targets) {
      try {
        getTarget(id);
      } catch (err) {
        throw asInputError(err);
      }
    }
    return {
      model: { format: run.model.format, parameterCount: model.countParams(), inputShape, outputShape },
      dataset: { format: run.dataset.format, numClasses: info.numClasses, sampleCount: info.sampleCount, inputShape: info.inputShape },
      targets: run.targets,
    };
  } finally {
    model.dispose();
  }
}
