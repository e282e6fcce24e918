// TFLite's sparse tensor format (schema.fbs `SparsityParameters`, a modification of TACO:
// Kjolstad et al., "The Tensor Algebra Compiler", OOPSLA 2017). A constant's dimensions are
// traversed in `traversalOrder`; a DENSE level stores its size, a SPARSE_CSR level stores, per
// position of the previous levels, a segment of the indices of its non-zero coordinates (CSR row
// pointers and column indices). The buffer then holds only the stored elements, and a DENSIFY op
// restores the dense tensor at load. We write the block-free form TFLite's converter writes for
// unstructured sparsity: every dimension DENSE but the last, the last SPARSE_CSR.

export type DimensionMetadata =
  | { format: 'DENSE'; denseSize: number }
  | { format: 'SPARSE_CSR'; segments: number[]; indices: number[] };

export interface SparsitySpec {
  traversalOrder: number[];
  /** Block dimensions → tensor dimensions (block sparsity); absent for unstructured sparsity. */
  blockMap?: number[];
  dimMetadata: DimensionMetadata[];
}

export interface SparseEncoding {
  sparsity: SparsitySpec;
  /** The stored (non-zero) elements, in traversal order. */
  data: Uint8Array;
}

const product = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/** Bytes one index vector takes in the file (uint8 / uint16 / int32, as the writer picks). */
export function indexVectorBytes(values: readonly number[]): number {
  const max = values.reduce((m, v) => Math.max(m, v), 0);
  return values.length * (max < 256 ? 1 : max < 65536 ? 2 : 4);
}

/**
 * Encodes `data` (dense, little-endian elements of `elementBytes` each, shape `shape`) with all
 * dimensions DENSE but the last (SPARSE_CSR). An element is zero when all its bytes are zero
 * (an int8 0 of a zero-point-0 tensor) or, for `float32`, when it is ±0.0 (pruning masks multiply
 * negative weights into −0.0, which densifies to +0.0: the same product in every op).
 */
export function encodeLastDimCsr(data: Uint8Array, shape: readonly number[], elementBytes: number, float32 = false): SparseEncoding {
  if (shape.length === 0) throw new Error('cannot sparse-encode a scalar');
  const cols = shape[shape.length - 1];
  const rows = product(shape.slice(0, -1));
  if (data.length !== rows * cols * elementBytes) throw new Error(`sparse encoding: ${data.length} bytes do not hold shape [${shape.join(', ')}]`);
  const segments = [0];
  const indices: number[] = [];
  const kept: number[] = [];
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const e = r * cols + c;
      let zero = true;
      for (let b = 0; b < elementBytes; b++) {
        const byte = data[e * elementBytes + b];
        if (byte !== 0 && !(float32 && b === 3 && byte === 0x80)) {
          zero = false;
          break;
        }
      }
      if (!zero) {
        indices.push(c);
        kept.push(e);
      }
    }
    segments.push(indices.length);
  }
  const out = new Uint8Array(kept.length * elementBytes);
  kept.forEach((e, i) => out.set(data.subarray(e * elementBytes, (e + 1) * elementBytes), i * elementBytes));
  const dimMetadata: DimensionMetadata[] = shape.slice(0, -1).map((d) => ({ format: 'DENSE', denseSize: d }));
  dimMetadata.push({ format: 'SPARSE_CSR', segments, indices });
  return { sparsity: { traversalOrder: shape.map((_, i) => i), dimMetadata }, data: out };
}

/** Bytes the encoding adds to the file beyond its stored elements (index vectors, about). */
export function sparsityOverheadBytes(s: SparsitySpec): number {
  return s.dimMetadata.reduce((n, d) => n + (d.format === 'DENSE' ? 8 : indexVectorBytes(d.segments) + indexVectorBytes(d.indices) + 24), 16 + 4 * s.traversalOrder.length);
}

/** The dense tensor (as bytes) a sparse constant stands for — what TFLite's DENSIFY computes. */
export function densify(s: SparsitySpec, shape: readonly number[], data: Uint8Array, elementBytes: number): Uint8Array {
  const n = shape.length;
  if (s.blockMap && s.blockMap.length > 0) throw new Error('block-sparse tensors are not supported');
  if (s.traversalOrder.length !== n || s.dimMetadata.length !== n) throw new Error(`sparsity of a rank-${n} tensor has ${s.traversalOrder.length} traversal dimensions`);
  const out = new Uint8Array(product(shape) * elementBytes);
  const strides = shape.map((_, i) => product(shape.slice(i + 1)));
  const coords = new Array<number>(n).fill(0);
  let stored = 0;
  const visit = (level: number, previous: number): void => {
    if (level === n) {
      const at = coords.reduce((sum, c, i) => sum + c * strides[i], 0);
      if ((stored + 1) * elementBytes > data.length) throw new Error('sparse tensor holds fewer values than its indices name');
      out.set(data.subarray(stored * elementBytes, (stored + 1) * elementBytes), at * elementBytes);
      stored++;
      return;
    }
    const dim = s.traversalOrder[level];
    const meta = s.dimMetadata[level];
    if (meta.format === 'DENSE') {
      for (let i = 0; i < meta.denseSize; i++) {
        coords[dim] = i;
        visit(level + 1, previous * meta.denseSize + i);
      }
      return;
    }
    for (let k = meta.segments[previous]; k < meta.segments[previous + 1]; k++) {
      const index = meta.indices[k];
      if (index >= shape[dim]) throw new Error(`sparse index ${index} outside dimension ${dim} of size ${shape[dim]}`);
      coords[dim] = index;
      visit(level + 1, k);
    }
  };
  visit(0, 0);
  return out;
}
