// int8 over float32 host latency of an exported model, through the export engineer's
// exportTflite and the TFLite wasm runtime's measureHostLatency.
import type { tf } from '../../services/engine/backend/index.ts';
import { exportTflite } from '../../services/engine/export/index.ts';
import { measureHostLatency } from '../../services/engine/runtime/index.ts';

export async function int8VsFloat32Latency(model: tf.LayersModel, calibration: Float32Array): Promise<{ float32Ms: number; int8Ms: number; ratio: number }> {
  const float32 = await exportTflite(model, { quantization: 'float32' });
  const int8 = await exportTflite(model, { quantization: 'int8', representativeData: [calibration], calibrationSamples: 200 });
  const runs = { runs: 100, warmup: 10 };
  const f = await measureHostLatency(float32.bytes, runs);
  const q = await measureHostLatency(int8.bytes, runs);
  return { float32Ms: f.medianMs, int8Ms: q.medianMs, ratio: q.medianMs / f.medianMs };
}
