// LSTM, GRU (reset_after False or True) and Bidirectional(LSTM | GRU) → an unrolled graph of builtin ops every runtime here runs
// (issue #13 item 3): per time step STRIDED_SLICE + RESHAPE the input row, one FULLY_CONNECTED per gate
// for the input and one for the recurrent state, LOGISTIC / TANH, MUL and ADD:
//   i = σ(W_i x_t + U_i h + b_i), f = σ(W_f x_t + U_f h + b_f), g = tanh(W_c x_t + U_c h + b_c),
//   o = σ(W_o x_t + U_o h + b_o), c = f ⊙ c + i ⊙ g, h = o ⊙ tanh(c)
// (Keras gate order i, f, c, o; h and c start at zero, so step 0 has no recurrent term).
// UNIDIRECTIONAL_SEQUENCE_LSTM would be one op, but Arm NN 20.08's parser has no LSTM of any
// kind; the unrolled form costs ops (≈ 12 per step), not weights: the gate weights are shared
// constants. Masked inputs (Embedding mask_zero) are refused: steps would have to be skipped.
import { registerLayerConverter, UnsupportedLayerError, type LayerConversion } from '../layer-converters.ts';

interface LstmWeights {
  units: number;
  /** [F, G·u], [u, G·u], [G·u] as Keras stores them (G = 4 gates for LSTM, 3 for GRU). */
  kernel: { shape: number[]; values: Float32Array };
  recurrent: { shape: number[]; values: Float32Array };
  bias: Float32Array;
  activation: string;
  recurrentActivation: string;
}

const ACTIVATIONS: Record<string, 'LOGISTIC' | 'TANH'> = { sigmoid: 'LOGISTIC', tanh: 'TANH' };

/** Columns [gate·u, (gate+1)·u) of a row-major [rows, G·u] matrix, transposed to [u, rows] (FULLY_CONNECTED's layout). */
function gateRows(m: { shape: number[]; values: Float32Array }, gate: number, units: number): Float32Array {
  const [rows, cols] = m.shape;
  const out = new Float32Array(units * rows);
  for (let r = 0; r < rows; r++) for (let k = 0; k < units; k++) out[k * rows + r] = m.values[r * cols + gate * units + k];
  return out;
}

/** Emits the unrolled LSTM over x [batch, steps, F]; returns the per-step h tensors [batch, u] in time order. */
function unrolledLstm(c: LayerConversion, x: number, w: LstmWeights, name: string, backwards: boolean): number[] {
  const g = c.graph;
  const [, steps, features] = g.tensors[x].shape;
  if (!(steps > 0)) throw new UnsupportedLayerError(`layer '${c.layer.name}' (LSTM): the number of time steps must be fixed for export, got ${steps}`);
  const u = w.units;
  const act = ACTIVATIONS[w.activation];
  const rec = ACTIVATIONS[w.recurrentActivation];
  if (!act || !rec) throw new UnsupportedLayerError(`layer '${c.layer.name}' (LSTM): activation '${w.activation}' / recurrent_activation '${w.recurrentActivation}' cannot be exported (supported: sigmoid, tanh)`);
  const gates = [0, 1, 2, 3].map((k) => ({
    w: g.addConstant(`${name}/W${'ifco'[k]}`, [u, features], gateRows(w.kernel, k, u)),
    u: g.addConstant(`${name}/U${'ifco'[k]}`, [u, u], gateRows(w.recurrent, k, u)),
    b: g.addConstant(`${name}/b${'ifco'[k]}`, [u], w.bias.slice(k * u, (k + 1) * u)),
    zero: g.addConstant(`${name}/z${'ifco'[k]}`, [u], new Float32Array(u)),
  }));
  const strides = g.addIntConstant(`${name}/strides`, [1, 1, 1]);
  const rowShape = g.addIntConstant(`${name}/row_shape`, [-1, features]);
  const fc = (input: number, weights: number, bias: number, out: string) => g.addOp('FULLY_CONNECTED', [input, weights, bias], out, [-1, u], { kind: 'FullyConnectedOptions', activation: 'NONE' });
  const mul = (a: number, b: number, out: string) => g.addOp('MUL', [a, b], out, [-1, u], { kind: 'MulOptions', activation: 'NONE' });
  const add = (a: number, b: number, out: string) => g.addOp('ADD', [a, b], out, [-1, u], { kind: 'AddOptions', activation: 'NONE' });
  let h: number | undefined;
  let cell: number | undefined;
  const outputs: number[] = [];
  for (let s = 0; s < steps; s++) {
    const t = backwards ? steps - 1 - s : s;
    const p = `${name}/t${t}`;
    // STRIDED_SLICE with the batch and feature axes masked: any batch size (Arm NN rejects SLICE's -1 sizes).
    const slice = g.addOp('STRIDED_SLICE', [x, g.addIntConstant(`${p}/begin`, [0, t, 0]), g.addIntConstant(`${p}/end`, [0, t + 1, 0]), strides], `${p}/x3`, [-1, 1, features], { kind: 'StridedSliceOptions', beginMask: 0b101, endMask: 0b101 });
    const row = g.addOp('RESHAPE', [slice, rowShape], `${p}/x`, [-1, features], { kind: 'ReshapeOptions', newShape: [-1, features] });
    const [zi, zf, zc, zo] = gates.map((gate, k) => {
      const fromInput = fc(row, gate.w, gate.b, `${p}/wx${'ifco'[k]}`);
      return h === undefined ? fromInput : add(fromInput, fc(h, gate.u, gate.zero, `${p}/uh${'ifco'[k]}`), `${p}/z${'ifco'[k]}`);
    });
    const i = g.addOp(rec, [zi], `${p}/i`, [-1, u]);
    const gg = g.addOp(act, [zc], `${p}/g`, [-1, u]);
    const o = g.addOp(rec, [zo], `${p}/o`, [-1, u]);
    const ig = mul(i, gg, `${p}/ig`);
    if (cell === undefined) cell = ig;
    else cell = add(mul(g.addOp(rec, [zf], `${p}/f`, [-1, u]), cell, `${p}/fc`), ig, `${p}/c`);
    h = mul(o, g.addOp(act, [cell], `${p}/tanh_c`, [-1, u]), `${p}/h`);
    outputs[t] = h;
  }
  return outputs;
}

/**
 * GRU, gate order z, r, h. Keras reset_after=False (bias [3u]):
 *   z = σ(W_z x_t + U_z h + b_z), r = σ(W_r x_t + U_r h + b_r), h̃ = tanh(W_h x_t + b_h + U_h (r ⊙ h));
 * reset_after=True (Keras 2.x/3 default; bias [2, 3u] = input bias, recurrent bias):
 *   z = σ(W_z x_t + b_z + U_z h + b'_z), r = σ(W_r x_t + b_r + U_r h + b'_r), h̃ = tanh(W_h x_t + b_h + r ⊙ (U_h h + b'_h));
 * both: h = z ⊙ h + (1 − z) ⊙ h̃ = h̃ + z ⊙ (h − h̃). At step 0 (h = 0) the recurrent products vanish
 * (reset_after=True keeps b': folded into the z and r biases, r ⊙ b'_h for h̃).
 */
function unrolledGru(c: LayerConversion, x: number, w: LstmWeights, name: string, backwards: boolean, resetAfter = false): number[] {
  const g = c.graph;
  const [, steps, features] = g.tensors[x].shape;
  if (!(steps > 0)) throw new UnsupportedLayerError(`layer '${c.layer.name}' (GRU): the number of time steps must be fixed for export, got ${steps}`);
  const u = w.units;
  const act = ACTIVATIONS[w.activation];
  const rec = ACTIVATIONS[w.recurrentActivation];
  if (!act || !rec) throw new UnsupportedLayerError(`layer '${c.layer.name}' (GRU): activation '${w.activation}' / recurrent_activation '${w.recurrentActivation}' cannot be exported (supported: sigmoid, tanh)`);
  const inBias = (k: number) => w.bias.slice(k * u, (k + 1) * u);
  const recBias = (k: number) => (resetAfter ? w.bias.slice(3 * u + k * u, 3 * u + (k + 1) * u) : new Float32Array(u));
  const gates = [0, 1, 2].map((k) => ({
    w: g.addConstant(`${name}/W${'zrh'[k]}`, [u, features], gateRows(w.kernel, k, u)),
    u: g.addConstant(`${name}/U${'zrh'[k]}`, [u, u], gateRows(w.recurrent, k, u)),
    b: g.addConstant(`${name}/b${'zrh'[k]}`, [u], inBias(k)),
    // Recurrent bias (reset_after=True only; zeros otherwise).
    rb: g.addConstant(`${name}/rb${'zrh'[k]}`, [u], recBias(k)),
  }));
  // Step 0 (h = 0): z and r read b + b' (reset_after=True), h̃ reads r ⊙ b'_h.
  const firstBias = [0, 1].map((k) => g.addConstant(`${name}/b0${'zr'[k]}`, [u], inBias(k).map((v, i) => v + recBias(k)[i])));
  const zero = g.addConstant(`${name}/zero_bias`, [u], new Float32Array(u));
  const strides = g.addIntConstant(`${name}/strides`, [1, 1, 1]);
  const rowShape = g.addIntConstant(`${name}/row_shape`, [-1, features]);
  const fc = (input: number, weights: number, bias: number, out: string) => g.addOp('FULLY_CONNECTED', [input, weights, bias], out, [-1, u], { kind: 'FullyConnectedOptions', activation: 'NONE' });
  const op = (type: 'MUL' | 'ADD' | 'SUB', a: number, b: number, out: string) => g.addOp(type, [a, b], out, [-1, u], { kind: type === 'MUL' ? 'MulOptions' : type === 'ADD' ? 'AddOptions' : 'SubOptions', activation: 'NONE' } as never);
  let h: number | undefined;
  const outputs: number[] = [];
  for (let s = 0; s < steps; s++) {
    const t = backwards ? steps - 1 - s : s;
    const p = `${name}/t${t}`;
    const slice = g.addOp('STRIDED_SLICE', [x, g.addIntConstant(`${p}/begin`, [0, t, 0]), g.addIntConstant(`${p}/end`, [0, t + 1, 0]), strides], `${p}/x3`, [-1, 1, features], { kind: 'StridedSliceOptions', beginMask: 0b101, endMask: 0b101 });
    const row = g.addOp('RESHAPE', [slice, rowShape], `${p}/x`, [-1, features], { kind: 'ReshapeOptions', newShape: [-1, features] });
    const pre = (k: number) => {
      if (h === undefined && k < 2 && resetAfter) return fc(row, gates[k].w, firstBias[k], `${p}/wx${'zrh'[k]}`);
      const fromInput = fc(row, gates[k].w, gates[k].b, `${p}/wx${'zrh'[k]}`);
      return h === undefined || k === 2 ? fromInput : op('ADD', fromInput, fc(h, gates[k].u, resetAfter ? gates[k].rb : zero, `${p}/uh${'zrh'[k]}`), `${p}/pre${'zrh'[k]}`);
    };
    const z = g.addOp(rec, [pre(0)], `${p}/z`, [-1, u]);
    let candidate = pre(2);
    if (resetAfter) {
      const r = g.addOp(rec, [pre(1)], `${p}/r`, [-1, u]);
      const recurrent = h === undefined ? gates[2].rb : fc(h, gates[2].u, gates[2].rb, `${p}/uh_h`);
      candidate = op('ADD', candidate, op('MUL', r, recurrent, `${p}/r_uh`), `${p}/preh`);
    } else if (h !== undefined) {
      const r = g.addOp(rec, [pre(1)], `${p}/r`, [-1, u]);
      candidate = op('ADD', candidate, fc(op('MUL', r, h, `${p}/rh`), gates[2].u, zero, `${p}/urh`), `${p}/preh`);
    }
    const hh = g.addOp(act, [candidate], `${p}/hh`, [-1, u]);
    h = h === undefined ? op('SUB', hh, op('MUL', z, hh, `${p}/zhh`), `${p}/h`) : op('ADD', hh, op('MUL', z, op('SUB', h, hh, `${p}/dh`), `${p}/zdh`), `${p}/h`);
    outputs[t] = h;
  }
  return outputs;
}

function lstmWeights(c: LayerConversion, config: Record<string, any>, prefix: string, gates = 4): LstmWeights {
  const find = (short: string) => {
    const all = c.layer.weights.filter((v) => v.name.split('/').pop()!.replace(/_\d+$/, '') === short && v.name.includes(prefix));
    if (all.length !== 1) throw new UnsupportedLayerError(`layer '${c.layer.name}': expected one '${short}' weight${prefix ? ` under '${prefix}'` : ''}, found ${all.length}`);
    const t = all[0].read();
    return { shape: t.shape as number[], values: t.dataSync() as Float32Array };
  };
  const units = config.units as number;
  // GRU reset_after=True keeps two bias rows [2, 3u] (input, recurrent): 2·gates·units values.
  const rows = config.resetAfter === true ? 2 : 1;
  const bias = config.useBias === false ? new Float32Array(rows * gates * units) : find('bias').values;
  return { units, kernel: find('kernel'), recurrent: find('recurrent_kernel'), bias, activation: config.activation ?? 'tanh', recurrentActivation: config.recurrentActivation ?? 'hardSigmoid' };
}

function checkInput(c: LayerConversion, className: string): number {
  const x = c.inputs[0];
  if (c.graph.tensors[x].shape.length !== 3) throw new UnsupportedLayerError(`layer '${c.layer.name}' (${className}): input must be [batch, steps, features], got [${c.graph.tensors[x].shape}]`);
  if (c.graph.masks.has(x)) throw new UnsupportedLayerError(`layer '${c.layer.name}' (${className}) reads a masked sequence (Embedding mask_zero=True): masked steps cannot be skipped in the exported graph; train with mask_zero=False`);
  return x;
}

/** [batch, u] per step → [batch, steps, u] (CONCATENATION of [batch, 1, u] rows). */
function sequence(c: LayerConversion, hs: number[], name: string): number {
  const g = c.graph;
  const u = g.tensors[hs[0]].shape[1];
  const shape = g.addIntConstant(`${name}/step_shape`, [-1, 1, u]);
  const rows = hs.map((h, t) => g.addOp('RESHAPE', [h, shape], `${name}/seq${t}`, [-1, 1, u], { kind: 'ReshapeOptions', newShape: [-1, 1, u] }));
  return rows.length === 1 ? rows[0] : g.addOp('CONCATENATION', rows, name, [-1, hs.length, u], { kind: 'ConcatenationOptions', axis: 1, activation: 'NONE' });
}

function refuseUnsupported(c: LayerConversion, config: Record<string, any>): void {
  if (config.returnState) throw new UnsupportedLayerError(`layer '${c.layer.name}': return_state=True cannot be exported`);
  if (config.stateful) throw new UnsupportedLayerError(`layer '${c.layer.name}': stateful=True cannot be exported`);
}

function convertLstm(c: LayerConversion): number[] {
  refuseUnsupported(c, c.config);
  const x = checkInput(c, 'LSTM');
  const hs = unrolledLstm(c, x, lstmWeights(c, c.config, ''), c.layer.name, c.config.goBackwards === true);
  // Keras' go_backwards sequence output is in processing (reversed) order.
  const ordered = c.config.goBackwards ? [...hs].reverse() : hs;
  return [c.config.returnSequences ? sequence(c, ordered, c.layer.name) : hs[c.config.goBackwards ? 0 : hs.length - 1]];
}

function convertBidirectional(c: LayerConversion): number[] {
  const inner = c.config.layer as { className?: string; config?: Record<string, any> } | undefined;
  if ((inner?.className !== 'LSTM' && inner?.className !== 'GRU') || !inner.config) throw new UnsupportedLayerError(`layer '${c.layer.name}' (Bidirectional): only a wrapped LSTM or GRU can be exported, got ${inner?.className ?? 'nothing'}`);
  const resetAfter = inner.className === 'GRU' && inner.config.resetAfter === true;
  const unroll = inner.className === 'GRU'
    ? (cc: LayerConversion, x: number, w: LstmWeights, name: string, backwards: boolean) => unrolledGru(cc, x, w, name, backwards, resetAfter)
    : unrolledLstm;
  const gateCount = inner.className === 'GRU' ? 3 : 4;
  const merge = c.config.mergeMode ?? 'concat';
  if (merge !== 'concat' && merge !== 'sum' && merge !== 'mul' && merge !== 'ave') throw new UnsupportedLayerError(`layer '${c.layer.name}' (Bidirectional): merge_mode ${merge} cannot be exported`);
  refuseUnsupported(c, inner.config);
  const x = checkInput(c, 'Bidirectional');
  const fw = unroll(c, x, lstmWeights(c, inner.config, 'forward', gateCount), `${c.layer.name}/forward`, false);
  const bw = unroll(c, x, lstmWeights(c, inner.config, 'backward', gateCount), `${c.layer.name}/backward`, true);
  const g = c.graph;
  const sequences = inner.config.returnSequences === true;
  // The backward layer's outputs, realigned to time order as Keras returns them.
  const a = sequences ? sequence(c, fw, `${c.layer.name}/fw_seq`) : fw[fw.length - 1];
  const b = sequences ? sequence(c, bw, `${c.layer.name}/bw_seq`) : bw[0];
  const shape = g.tensors[a].shape;
  const u = shape[shape.length - 1];
  switch (merge) {
    case 'concat': return [g.addOp('CONCATENATION', [a, b], c.layer.name, [...shape.slice(0, -1), 2 * u], { kind: 'ConcatenationOptions', axis: shape.length - 1, activation: 'NONE' })];
    case 'sum': return [g.addOp('ADD', [a, b], c.layer.name, shape, { kind: 'AddOptions', activation: 'NONE' })];
    case 'mul': return [g.addOp('MUL', [a, b], c.layer.name, shape, { kind: 'MulOptions', activation: 'NONE' })];
    default: {
      const sum = g.addOp('ADD', [a, b], `${c.layer.name}/sum`, shape, { kind: 'AddOptions', activation: 'NONE' });
      const half = g.addConstant(`${c.layer.name}/half`, [1], Float32Array.of(0.5));
      return [g.addOp('MUL', [sum, half], c.layer.name, shape, { kind: 'MulOptions', activation: 'NONE' })];
    }
  }
}

function convertGru(c: LayerConversion): number[] {
  refuseUnsupported(c, c.config);
  const x = checkInput(c, 'GRU');
  const hs = unrolledGru(c, x, lstmWeights(c, c.config, '', 3), c.layer.name, c.config.goBackwards === true, c.config.resetAfter === true);
  const ordered = c.config.goBackwards ? [...hs].reverse() : hs;
  return [c.config.returnSequences ? sequence(c, ordered, c.layer.name) : hs[c.config.goBackwards ? 0 : hs.length - 1]];
}

registerLayerConverter('LSTM', convertLstm);
registerLayerConverter('GRU', convertGru);
registerLayerConverter('Bidirectional', convertBidirectional);
