// Public API of model export: TFLite flatbuffers (our own writer) and TF.js layers format.
export { exportTflite, type ExportTfliteOptions, type ExportTfliteResult, type QuantizationMode } from './export-tflite.ts';
export { exportTfjsLayers, exportTfjsLayersZip, TFJS_WEIGHTS_FILE, type TfjsLayersExport } from './export-tfjs.ts';
export {
  registerLayerConverter, registeredLayerClasses, appendActivation, fusedActivation, withActivation, UnsupportedLayerError,
  type LayerConverter, type LayerConversion, type LayerWeight,
} from './layer-converters.ts';
export { getOpSpecIfAny, registerOpSpec, type OpSpec } from './op-specs.ts';
export { irOpLayers } from './op-layers.ts';
export { IrGraph, type IrTensor, type IrOp } from './ir.ts';
export { readTfliteModel } from './tflite-reader.ts';
export { readTfliteMetadata } from './tflite-metadata-reader.ts';
export { serializeTfliteMetadata, labelsFileBytes, type TfliteMetadata, type MetadataFile, type OutputKind } from './tflite-metadata.ts';
export { readAssociatedFiles } from './associated-files.ts';
export { serializeTflite } from './flatbuffer-writer.ts';
export type { TfliteModelSpec, TensorSpec, OperatorSpec, OperatorOptions } from './tflite-model.ts';
