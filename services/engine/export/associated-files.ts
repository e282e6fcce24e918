// TFLite associated files (labels, vocabularies): a zip appended to the .tflite flatbuffer, with
// offsets counted from the start of the whole file — what tflite-support's MetadataPopulator
// writes and its MetadataExtractor (and any zip reader) reads. Runtimes ignore the trailing bytes.
import { unzipSync, zipSync } from 'fflate';

const EOCD_SIGNATURE = 0x06054b50;
const CENTRAL_SIGNATURE = 0x02014b50;

/** `model` followed by a stored (uncompressed) zip of `files` whose offsets include the model's length. */
export function appendAssociatedFiles(model: Uint8Array, files: Record<string, Uint8Array>): Uint8Array {
  if (Object.keys(files).length === 0) return model;
  const zip = zipSync(Object.fromEntries(Object.entries(files).map(([name, bytes]) => [name, [bytes, { level: 0 }]])));
  const out = new Uint8Array(model.length + zip.length);
  out.set(model, 0);
  out.set(zip, model.length);
  const view = new DataView(out.buffer);
  const eocd = out.length - 22; // fflate writes no archive comment
  if (view.getUint32(eocd, true) !== EOCD_SIGNATURE) throw new Error('associated files: unexpected zip layout');
  const entries = view.getUint16(eocd + 10, true);
  const central = model.length + view.getUint32(eocd + 16, true);
  view.setUint32(eocd + 16, central, true);
  let p = central;
  for (let i = 0; i < entries; i++) {
    if (view.getUint32(p, true) !== CENTRAL_SIGNATURE) throw new Error('associated files: unexpected zip layout');
    view.setUint32(p + 42, view.getUint32(p + 42, true) + model.length, true);
    p += 46 + view.getUint16(p + 28, true) + view.getUint16(p + 30, true) + view.getUint16(p + 32, true);
  }
  return out;
}

/** The associated files of a .tflite file ({} when it carries none). */
export function readAssociatedFiles(bytes: Uint8Array): Record<string, Uint8Array> {
  if (bytes.length < 22 || new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(bytes.length - 22, true) !== EOCD_SIGNATURE) return {};
  return unzipSync(bytes);
}
