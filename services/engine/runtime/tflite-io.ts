// Input/output tensors of a .tflite file with their quantization (scale/zero point), read with
// the export package's reader. Runtimes use it to quantize inputs and dequantize outputs.
import { readTfliteModel } from '../export/tflite-reader.ts';

export interface TfliteIoTensor {
  index: number;
  name: string;
  shape: number[];
  type: string;
  /** 0 for float tensors. */
  scale: number;
  zeroPoint: number;
}

export function readTfliteIo(bytes: Uint8Array): { inputs: TfliteIoTensor[]; outputs: TfliteIoTensor[] } {
  const spec = readTfliteModel(bytes);
  const io = (index: number): TfliteIoTensor => {
    const t = spec.tensors[index];
    return { index, name: t.name, shape: t.shape, type: t.type, scale: t.quantization?.scale[0] ?? 0, zeroPoint: t.quantization?.zeroPoint[0] ?? 0 };
  };
  return { inputs: spec.inputs.map(io), outputs: spec.outputs.map(io) };
}
