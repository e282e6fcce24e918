// A zip (or tar) of image folders, one folder per class: `cat/1.png`, `dog/2.jpg`, optionally
// under split folders `train/cat/1.png`, `test/dog/9.jpg` (respected as explicit splits), and
// optionally all inside one wrapper folder. PNG via pngjs, JPEG via jpeg-js.
// Decision: every image is resized (bilinear, half-pixel centres) to one size: `imageSize`
// when given, else the size of the first image in path order. Alpha is dropped. The dataset is
// grayscale ([h, w, 1]) when every pixel of every image has R = G = B, else RGB ([h, w, 3]).
// Pixels are stored as uint8 after resizing and normalised to [0, 1] when batches are read.
import pngjs from 'pngjs';
import jpeg from 'jpeg-js';
import { DatasetError } from './errors.ts';
import { buildDataset, uint8PixelStore, type IndexedDataset, type OpenOptions } from './dataset.ts';
import { NO_SPLIT, parseSplitName } from './split.ts';

const IMAGE_EXTENSIONS = /\.(png|jpe?g)$/i;
/** Largest single image accepted, in pixels (guards against decompression bombs). */
const MAX_IMAGE_PIXELS = 40_000_000;

export function isImageName(name: string): boolean {
  return IMAGE_EXTENSIONS.test(name);
}

interface RgbImage {
  width: number;
  height: number;
  /** RGBA bytes as the decoders return them. */
  rgba: Uint8Array;
}

function decodeImage(name: string, bytes: Uint8Array, file: string): RgbImage {
  const where = `${file}: ${name}`;
  try {
    if (/\.png$/i.test(name)) {
      if (bytes.length < 24) throw new Error('too short for a PNG');
      const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      if (view.getUint32(16) * view.getUint32(20) > MAX_IMAGE_PIXELS) throw new Error(`larger than ${MAX_IMAGE_PIXELS} pixels`);
      const png = pngjs.PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
      return { width: png.width, height: png.height, rgba: new Uint8Array(png.data.buffer, png.data.byteOffset, png.data.byteLength) };
    }
    const decoded = jpeg.decode(bytes, { useTArray: true, maxResolutionInMP: MAX_IMAGE_PIXELS / 1e6, maxMemoryUsageInMB: 1024 });
    return { width: decoded.width, height: decoded.height, rgba: decoded.data };
  } catch (error) {
    throw new DatasetError(where, `cannot decode image (${(error as Error).message})`);
  }
}

/** Bilinear resize of RGBA to RGB with half-pixel centres (matches tf.image.resizeBilinear with halfPixelCenters). */
function resizeToRgb(image: RgbImage, height: number, width: number): Uint8Array {
  const out = new Uint8Array(height * width * 3);
  const sy = image.height / height;
  const sx = image.width / width;
  for (let y = 0; y < height; y++) {
    const fy = Math.min(Math.max((y + 0.5) * sy - 0.5, 0), image.height - 1);
    const y0 = Math.floor(fy);
    const y1 = Math.min(y0 + 1, image.height - 1);
    const wy = fy - y0;
    for (let x = 0; x < width; x++) {
      const fx = Math.min(Math.max((x + 0.5) * sx - 0.5, 0), image.width - 1);
      const x0 = Math.floor(fx);
      const x1 = Math.min(x0 + 1, image.width - 1);
      const wx = fx - x0;
      for (let c = 0; c < 3; c++) {
        const p = (yy: number, xx: number) => image.rgba[(yy * image.width + xx) * 4 + c];
        const top = p(y0, x0) * (1 - wx) + p(y0, x1) * wx;
        const bottom = p(y1, x0) * (1 - wx) + p(y1, x1) * wx;
        out[(y * width + x) * 3 + c] = Math.round(top * (1 - wy) + bottom * wy);
      }
    }
  }
  return out;
}

export function imageFolderDataset(files: Map<string, Uint8Array>, file: string, options: OpenOptions = {}): IndexedDataset {
  const entries = [...files.keys()].filter(isImageName).sort();
  if (entries.length === 0) throw new DatasetError(file, 'no PNG or JPEG images found');
  let paths = entries.map((name) => name.split('/'));
  // Strip wrapper folders shared by every image.
  while (paths.every((p) => p.length > 2 && p[0] === paths[0][0])) paths = paths.map((p) => p.slice(1));
  const depth = paths[0].length;
  if (depth < 2 || paths.some((p) => p.length !== depth) || depth > 3) {
    throw new DatasetError(file, 'images must sit in class folders (class/image.png) or split/class folders (train/class/image.png), all at the same depth');
  }
  const splitCodes = paths.map((p) => (depth === 3 ? parseSplitName(p[0]) : NO_SPLIT));
  const badSplit = paths.findIndex((_, i) => splitCodes[i] === undefined);
  if (badSplit >= 0) throw new DatasetError(file, `top folder "${paths[badSplit][0]}" is not train, validation or test`);
  const classOf = paths.map((p) => p[depth - 2]);
  const names = [...new Set(classOf)].sort();
  if (names.length < 2) throw new DatasetError(file, `found one class folder ("${names[0]}"); need at least 2`);
  const classIndex = new Map(names.map((n, i) => [n, i]));

  let height = options.imageSize?.[0];
  let width = options.imageSize?.[1];
  if (options.imageSize && !options.imageSize.every((d) => Number.isInteger(d) && d > 0)) throw new DatasetError(file, `imageSize must be two positive integers, got [${options.imageSize.join(', ')}]`);
  let rgb: Uint8Array | undefined;
  let gray = true;
  entries.forEach((name, i) => {
    const image = decodeImage(name, files.get(name)!, file);
    if (height === undefined || width === undefined) {
      height = image.height;
      width = image.width;
    }
    const pixels = height * width;
    rgb ??= new Uint8Array(entries.length * pixels * 3);
    const resized = resizeToRgb(image, height, width);
    rgb.set(resized, i * pixels * 3);
    if (gray) for (let p = 0; p < pixels && gray; p++) gray = resized[p * 3] === resized[p * 3 + 1] && resized[p * 3] === resized[p * 3 + 2];
  });
  const channels = gray ? 1 : 3;
  const pixels = height! * width!;
  let stored = rgb!;
  if (gray) {
    stored = new Uint8Array(entries.length * pixels);
    for (let i = 0; i < stored.length; i++) stored[i] = rgb![i * 3];
  }
  const sampleSize = pixels * channels;
  return buildDataset(
    {
      file,
      format: 'image-zip',
      kind: 'tensor',
      inputShape: [height!, width!, channels],
      labels: Int32Array.from(classOf, (c) => classIndex.get(c)!),
      labelNames: names,
      explicitSplit: depth === 3 ? Uint8Array.from(splitCodes as number[]) : undefined,
      store: uint8PixelStore(stored, sampleSize),
    },
    options,
  );
}
