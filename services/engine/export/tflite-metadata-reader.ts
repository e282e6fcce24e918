// Reads the TFLITE_METADATA of a .tflite file (and its labels.txt associated file) back into a
// TfliteMetadata — what the API shows as Candidate.metadata. Slots as in tflite-metadata.ts.
import * as flatbuffers from 'flatbuffers';
import { readAssociatedFiles } from './associated-files.ts';
import { Table } from './tflite-reader.ts';
import {
  AssociatedFileType, ColorSpaceType, ContentProperties, LABELS_FILE, labelsFromFile, METADATA_BUFFER_NAME, METADATA_FILE_IDENTIFIER, OUTPUT_TENSOR_NAME, ProcessUnitOptions,
  type OutputKind, type TfliteMetadata,
} from './tflite-metadata.ts';

const KIND_OF_NAME = new Map(Object.entries(OUTPUT_TENSOR_NAME).map(([kind, name]) => [name, kind as OutputKind]));

/** The metadata flatbuffer inside a .tflite file, or undefined when it has none. */
export function tfliteMetadataBuffer(bytes: Uint8Array): Uint8Array | undefined {
  if (bytes.length < 8 || String.fromCharCode(...bytes.subarray(4, 8)) !== 'TFL3') throw new Error('not a TFLite file (no TFL3 identifier)');
  const bb = new flatbuffers.ByteBuffer(bytes);
  const model = new Table(bb, bb.readInt32(0));
  const entry = model.tables(6).find((m) => m.string(0) === METADATA_BUFFER_NAME);
  if (!entry) return undefined;
  const buffer = model.tables(4)[entry.int(1)];
  if (!buffer) return undefined;
  const [start, n] = buffer.vector(0);
  return bytes.subarray(start, start + n);
}

export function readTfliteMetadata(bytes: Uint8Array): TfliteMetadata | null {
  const buffer = tfliteMetadataBuffer(bytes);
  if (!buffer) return null;
  const bb = new flatbuffers.ByteBuffer(buffer);
  if (!bb.__has_identifier(METADATA_FILE_IDENTIFIER)) throw new Error('TFLITE_METADATA buffer lacks the M001 identifier');
  const meta = new Table(bb, bb.readInt32(0));
  const subgraph = meta.tables(3)[0];
  const input = subgraph?.tables(2)[0];
  const output = subgraph?.tables(3)[0];
  const inputContent = input?.table(3);
  const image = inputContent && inputContent.byte(0) === ContentProperties.ImageProperties ? inputContent.table(1) : undefined;
  const colorSpace = image ? (Object.keys(ColorSpaceType) as (keyof typeof ColorSpaceType)[]).find((k) => ColorSpaceType[k] === image.byte(0)) ?? null : null;
  const unit = input?.tables(4).find((u) => u.byte(0) === ProcessUnitOptions.NormalizationOptions)?.table(1);
  const labelsEntry = output?.tables(6).find((f) => f.byte(2) === AssociatedFileType.TENSOR_AXIS_LABELS);
  const labelsBytes = labelsEntry ? readAssociatedFiles(bytes)[labelsEntry.string(0) || LABELS_FILE] : undefined;
  const labels = labelsBytes ? labelsFromFile(labelsBytes) : [];
  const typeNames = new Map(Object.entries(AssociatedFileType).map(([k, v]) => [v as number, k]));
  const inputFiles = (input?.tables(6) ?? []).flatMap((f) => {
    const type = typeNames.get(f.byte(2));
    const fileBytes = readAssociatedFiles(bytes)[f.string(0)];
    return (type === 'DESCRIPTIONS' || type === 'VOCABULARY') && fileBytes ? [{ name: f.string(0), description: f.string(1), type, bytes: fileBytes } as const] : [];
  });
  return {
    name: meta.string(0), description: meta.string(1), version: meta.string(2), author: meta.string(4), license: meta.string(5),
    input: {
      name: input?.string(0) ?? '', description: input?.string(1) ?? '', colorSpace,
      normalization: unit ? { mean: unit.floats(0), std: unit.floats(1) } : null,
      ...(inputFiles.length > 0 ? { files: inputFiles } : {}),
    },
    output: { description: output?.string(1) ?? '', kind: KIND_OF_NAME.get(output?.string(0) ?? '') ?? 'values', labels },
  };
}
