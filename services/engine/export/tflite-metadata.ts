// The standard TFLite model metadata (tflite-support's metadata_schema.fbs, file identifier
// "M001"): what an app needs to use a model without reading its training code — name, version,
// description, how to normalise the input, what the output is, and its labels. The flatbuffer is
// stored in a model buffer named TFLITE_METADATA; the labels travel as an associated file
// (labels.txt) in a zip appended to the .tflite file, as tflite-support's MetadataPopulator does.
// Slots below follow the field order of the tables in metadata_schema.fbs (a union takes two
// slots: type, then value); metadata_schema.fbs in this directory lists the subset we write.
import * as flatbuffers from 'flatbuffers';

export const METADATA_BUFFER_NAME = 'TFLITE_METADATA';
export const METADATA_FILE_IDENTIFIER = 'M001';
/** Every field we write exists since metadata schema 1.0.0. */
export const METADATA_MIN_PARSER_VERSION = '1.0.0';
export const LABELS_FILE = 'labels.txt';

export type OutputKind = 'probabilities' | 'logits' | 'values';
/** The output tensor's metadata name says its kind ("probability" is tflite-support's convention for classifiers). */
export const OUTPUT_TENSOR_NAME: Record<OutputKind, string> = { probabilities: 'probability', logits: 'logits', values: 'values' };

export interface TfliteMetadata {
  name: string;
  version: string;
  description: string;
  author: string;
  license: string;
  input: {
    name: string;
    description: string;
    /** Image inputs ([h, w, 1 | 3]); null for other tensors. */
    colorSpace: 'GRAYSCALE' | 'RGB' | null;
    /** The model sees (x − mean) / std of the raw values the app has (per channel, or one value for all). */
    normalization: { mean: number[]; std: number[] } | null;
    /** Associated files of the input tensor: a text model's front end (vocabulary, tokenizer or
     * featuriser parameters; services/engine/text/front-end.ts). */
    files?: MetadataFile[];
  };
  output: {
    description: string;
    kind: OutputKind;
    /** Class names, index = output position (the labels.txt associated file). */
    labels: string[];
  };
}

/** An associated file of a tensor: its bytes travel in the zip appended to the .tflite file. */
export interface MetadataFile {
  name: string;
  description: string;
  type: 'DESCRIPTIONS' | 'VOCABULARY';
  bytes: Uint8Array;
}

/** Enum values of metadata_schema.fbs. */
export const AssociatedFileType = { DESCRIPTIONS: 1, TENSOR_AXIS_LABELS: 2, VOCABULARY: 5 } as const;
/** VOCABULARY files need a metadata parser ≥ 1.0.1. */
const VOCABULARY_MIN_PARSER_VERSION = '1.0.1';
export const ContentProperties = { FeatureProperties: 1, ImageProperties: 2 } as const;
export const ColorSpaceType = { RGB: 1, GRAYSCALE: 2 } as const;
export const ProcessUnitOptions = { NormalizationOptions: 1 } as const;

function floats(b: flatbuffers.Builder, values: readonly number[]): flatbuffers.Offset {
  b.startVector(4, values.length, 4);
  for (let i = values.length - 1; i >= 0; i--) b.addFloat32(values[i]!);
  return b.endVector();
}

function offsets(b: flatbuffers.Builder, values: readonly flatbuffers.Offset[]): flatbuffers.Offset {
  b.startVector(4, values.length, 4);
  for (let i = values.length - 1; i >= 0; i--) b.addOffset(values[i]!);
  return b.endVector();
}

function associatedFile(b: flatbuffers.Builder, file: { name: string; description: string; type: keyof typeof AssociatedFileType }): flatbuffers.Offset {
  const name = b.createString(file.name);
  const description = b.createString(file.description);
  b.startObject(4); // AssociatedFile: name, description, type, locale
  b.addFieldOffset(0, name, 0);
  b.addFieldOffset(1, description, 0);
  b.addFieldInt8(2, AssociatedFileType[file.type], 0);
  return b.endObject();
}

function labelsFile(b: flatbuffers.Builder): flatbuffers.Offset {
  return associatedFile(b, { name: LABELS_FILE, description: 'Class names, one per line; line i names output i.', type: 'TENSOR_AXIS_LABELS' });
}

function content(b: flatbuffers.Builder, colorSpace: TfliteMetadata['input']['colorSpace']): flatbuffers.Offset {
  let type: number = ContentProperties.FeatureProperties;
  let properties: flatbuffers.Offset;
  if (colorSpace) {
    type = ContentProperties.ImageProperties;
    b.startObject(2); // ImageProperties: color_space, default_size
    b.addFieldInt8(0, ColorSpaceType[colorSpace], 0);
    properties = b.endObject();
  } else {
    b.startObject(0); // FeatureProperties has no fields
    properties = b.endObject();
  }
  b.startObject(3); // Content: content_properties_type, content_properties, range
  b.addFieldInt8(0, type, 0);
  b.addFieldOffset(1, properties, 0);
  return b.endObject();
}

function normalizationUnit(b: flatbuffers.Builder, n: { mean: number[]; std: number[] }): flatbuffers.Offset {
  const mean = floats(b, n.mean);
  const std = floats(b, n.std);
  b.startObject(2); // NormalizationOptions: mean, std
  b.addFieldOffset(0, mean, 0);
  b.addFieldOffset(1, std, 0);
  const options = b.endObject();
  b.startObject(2); // ProcessUnit: options_type, options
  b.addFieldInt8(0, ProcessUnitOptions.NormalizationOptions, 0);
  b.addFieldOffset(1, options, 0);
  return b.endObject();
}

function tensor(b: flatbuffers.Builder, parts: { name: string; description: string; content: flatbuffers.Offset; processUnits?: flatbuffers.Offset; files?: flatbuffers.Offset }): flatbuffers.Offset {
  const name = b.createString(parts.name);
  const description = b.createString(parts.description);
  b.startObject(7); // TensorMetadata: name, description, dimension_names, content, process_units, stats, associated_files
  b.addFieldOffset(0, name, 0);
  b.addFieldOffset(1, description, 0);
  b.addFieldOffset(3, parts.content, 0);
  if (parts.processUnits) b.addFieldOffset(4, parts.processUnits, 0);
  if (parts.files) b.addFieldOffset(6, parts.files, 0);
  return b.endObject();
}

/** The metadata flatbuffer (root ModelMetadata, identifier M001). */
export function serializeTfliteMetadata(meta: TfliteMetadata): Uint8Array {
  const b = new flatbuffers.Builder(1024);
  const inputContent = content(b, meta.input.colorSpace);
  const units = meta.input.normalization ? offsets(b, [normalizationUnit(b, meta.input.normalization)]) : undefined;
  const inputFiles = meta.input.files?.length ? offsets(b, meta.input.files.map((f) => associatedFile(b, f))) : undefined;
  const input = tensor(b, { name: meta.input.name, description: meta.input.description, content: inputContent, processUnits: units, files: inputFiles });
  const outputContent = content(b, null);
  const files = meta.output.labels.length > 0 ? offsets(b, [labelsFile(b)]) : undefined;
  const output = tensor(b, { name: OUTPUT_TENSOR_NAME[meta.output.kind], description: meta.output.description, content: outputContent, files });

  const subgraphName = b.createString('main');
  const inputs = offsets(b, [input]);
  const outputs = offsets(b, [output]);
  b.startObject(7); // SubGraphMetadata: name, description, input_tensor_metadata, output_tensor_metadata, associated_files, input/output_process_units
  b.addFieldOffset(0, subgraphName, 0);
  b.addFieldOffset(2, inputs, 0);
  b.addFieldOffset(3, outputs, 0);
  const subgraph = b.endObject();

  const name = b.createString(meta.name);
  const description = b.createString(meta.description);
  const version = b.createString(meta.version);
  const subgraphs = offsets(b, [subgraph]);
  const author = b.createString(meta.author);
  const license = b.createString(meta.license);
  const minParser = b.createString(meta.input.files?.some((f) => f.type === 'VOCABULARY') ? VOCABULARY_MIN_PARSER_VERSION : METADATA_MIN_PARSER_VERSION);
  b.startObject(8); // ModelMetadata: name, description, version, subgraph_metadata, author, license, associated_files, min_parser_version
  b.addFieldOffset(0, name, 0);
  b.addFieldOffset(1, description, 0);
  b.addFieldOffset(2, version, 0);
  b.addFieldOffset(3, subgraphs, 0);
  b.addFieldOffset(4, author, 0);
  b.addFieldOffset(5, license, 0);
  b.addFieldOffset(7, minParser, 0);
  b.finish(b.endObject(), METADATA_FILE_IDENTIFIER);
  return b.asUint8Array().slice();
}

/** Labels as the labels.txt associated file: one per line, newline-terminated. */
export function labelsFileBytes(labels: readonly string[]): Uint8Array {
  return new TextEncoder().encode(labels.map((l) => l.replace(/[\r\n]+/g, ' ') + '\n').join(''));
}

export function labelsFromFile(bytes: Uint8Array): string[] {
  const text = new TextDecoder().decode(bytes);
  return (text.endsWith('\n') ? text.slice(0, -1) : text).split('\n');
}
