// A TFLite model running in TFLite's own interpreter (wasm) inside Node, with a float API:
// inputs are quantized and outputs dequantized when the model has int8 I/O.
import { loadTfweb, type TfliteWebRunner, type TfliteWebTensor } from './tflite-wasm-loader.ts';
import { readTfliteIo, type TfliteIoTensor } from './tflite-io.ts';

export interface TfliteTensorInfo {
  name: string;
  /** Static shape (batch 1). */
  shape: number[];
  dataType: string;
}

export interface LoadedTfliteModel {
  /** Runs `input` of `shape` ([batch, ...sample]); batches larger than the model's run sample by sample. */
  predict(input: Float32Array, shape: number[]): Float32Array;
  inputs: TfliteTensorInfo[];
  outputs: TfliteTensorInfo[];
  dispose(): void;
}

function info(t: TfliteWebTensor): TfliteTensorInfo {
  return { name: t.name, shape: t.shape.split(',').map(Number), dataType: t.dataType };
}

function writeInput(t: TfliteWebTensor, q: TfliteIoTensor, values: Float32Array): void {
  const dst = t.data();
  if (dst instanceof Float32Array || dst instanceof Float64Array) {
    dst.set(values);
    return;
  }
  const { scale, zeroPoint } = q;
  if (!scale) throw new Error(`input '${t.name}' is ${t.dataType} without quantization parameters`);
  const [lo, hi] = dst instanceof Int8Array ? [-128, 127] : dst instanceof Uint8Array ? [0, 255] : [-32768, 32767];
  for (let i = 0; i < values.length; i++) dst[i] = Math.max(lo, Math.min(hi, Math.round(values[i] / scale) + zeroPoint));
}

function readOutput(t: TfliteWebTensor, q: TfliteIoTensor): Float32Array {
  const src = t.data();
  if (src instanceof Float32Array) return Float32Array.from(src);
  const { scale, zeroPoint } = q;
  if (!scale) return Float32Array.from(src as ArrayLike<number>);
  const out = new Float32Array(src.length);
  for (let i = 0; i < src.length; i++) out[i] = (Number(src[i]) - zeroPoint) * scale;
  return out;
}

export async function loadTfliteModel(bytes: Uint8Array): Promise<LoadedTfliteModel> {
  const tfweb = await loadTfweb();
  const io = readTfliteIo(bytes);
  let runner: TfliteWebRunner | undefined = await tfweb.TFLiteWebModelRunner.create(bytes.slice().buffer, { numThreads: 1 });
  const inputs = runner.getInputs();
  const outputs = runner.getOutputs();
  if (inputs.length !== 1) throw new Error(`loadTfliteModel supports single-input models; this one has ${inputs.length}`);
  const inInfo = info(inputs[0]);
  const sampleSize = inInfo.shape.slice(1).reduce((a, b) => a * b, 1);
  const modelBatch = inInfo.shape[0] ?? 1;

  return {
    inputs: inputs.map(info),
    outputs: outputs.map(info),
    predict(input, shape) {
      if (!runner) throw new Error('model was disposed');
      const batch = shape[0];
      const perSample = shape.slice(1).reduce((a, b) => a * b, 1);
      if (perSample !== sampleSize || input.length !== batch * perSample) {
        throw new Error(`input shape [${shape}] does not match the model input [${inInfo.shape}]`);
      }
      const chunk = batch % modelBatch === 0 ? modelBatch : 1;
      if (chunk !== modelBatch) throw new Error(`batch ${batch} is not a multiple of the model batch ${modelBatch}`);
      const outSize = outputs[0].shape.split(',').map(Number).reduce((a, b) => a * b, 1) / modelBatch;
      const result = new Float32Array(batch * outSize);
      const liveIn = runner.getInputs()[0];
      const liveOut = runner.getOutputs()[0];
      for (let i = 0; i < batch; i += chunk) {
        writeInput(liveIn, io.inputs[0], input.subarray(i * sampleSize, (i + chunk) * sampleSize));
        if (!runner.infer()) throw new Error('TFLite inference failed');
        result.set(readOutput(liveOut, io.outputs[0]), i * outSize);
      }
      return result;
    },
    dispose() {
      runner?.cleanUp();
      runner = undefined;
    },
  };
}
