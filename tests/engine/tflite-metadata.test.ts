// TFLite metadata in exported files, read back by readers other than our writer: the
// flatc-generated TypeScript of metadata_schema.fbs (apt: flatbuffers-compiler), Python's
// zipfile for the labels associated file; TFLite in wasm and Arm NN still run the files and agree
// with the same export without metadata.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as flatbuffers from 'flatbuffers';
import { initEngine, tf } from '../../services/engine/backend/index.ts';
import { exportTflite, readAssociatedFiles, readTfliteMetadata, readTfliteModel, type TfliteMetadata } from '../../services/engine/export/index.ts';
import { tfliteMetadataBuffer } from '../../services/engine/export/tflite-metadata-reader.ts';
import { armNnUnavailableReason, loadTfliteModel, runArmNn } from '../../services/engine/runtime/index.ts';

const SCHEMA = fileURLToPath(new URL('../../services/engine/export/metadata_schema.fbs', import.meta.url));
const armNnSkip = armNnUnavailableReason() ?? false;

/** Why flatc cannot run here (like Arm NN, a Debian package .ci/run installs), or false. */
function flatcUnavailable(): string | false {
  try {
    execFileSync('flatc', ['--version'], { stdio: 'ignore' });
    return false;
  } catch {
    return 'flatc is not installed: apt-get install flatbuffers-compiler';
  }
}
const flatcSkip = flatcUnavailable();

const META: TfliteMetadata = {
  name: 'digits', version: 'v2+prune-50', description: 'Handwritten digit classifier (test)', author: 'Condense', license: 'Apache-2.0',
  input: { name: 'image', description: '28×28 grey pixels', colorSpace: 'GRAYSCALE', normalization: { mean: [0], std: [255] } },
  output: { description: 'Probability of each digit', kind: 'probabilities', labels: ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'] },
};

describe('TFLite metadata', { timeout: 300_000 }, () => {
  let dir: string;
  let model: tf.LayersModel;
  before(async () => {
    await initEngine('wasm');
    dir = mkdtempSync(join(tmpdir(), 'tflite-metadata-'));
    model = tf.sequential({ layers: [
      tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 4, kernelSize: 3, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 10, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }),
    ] });
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('the flatc-generated reader of the standard schema reads every field we wrote', { skip: flatcSkip }, async () => {
    execFileSync('flatc', ['--ts', '-o', dir, SCHEMA]);
    symlinkSync(fileURLToPath(new URL('../../node_modules', import.meta.url)), join(dir, 'node_modules')); // the generated code imports 'flatbuffers'
    const generated = await import(pathToFileURL(join(dir, 'metadata_schema_generated.ts')).href);
    const { bytes } = await exportTflite(model, { quantization: 'float32', metadata: META });
    const buffer = tfliteMetadataBuffer(bytes)!;
    const bb = new flatbuffers.ByteBuffer(buffer);
    assert.ok(generated.ModelMetadata.bufferHasIdentifier(bb), 'M001 identifier');
    const m = generated.ModelMetadata.getRootAsModelMetadata(bb);
    assert.equal(m.name(), 'digits');
    assert.equal(m.version(), 'v2+prune-50');
    assert.equal(m.description(), 'Handwritten digit classifier (test)');
    assert.equal(m.author(), 'Condense');
    assert.equal(m.license(), 'Apache-2.0');
    assert.equal(m.minParserVersion(), '1.0.0');
    assert.equal(m.subgraphMetadataLength(), 1);
    const sg = m.subgraphMetadata(0);
    const input = sg.inputTensorMetadata(0);
    assert.equal(input.name(), 'image');
    assert.equal(input.content().contentPropertiesType(), generated.ContentProperties.ImageProperties);
    const image = input.content().contentProperties(new generated.ImageProperties());
    assert.equal(image.colorSpace(), generated.ColorSpaceType.GRAYSCALE);
    assert.equal(input.processUnits(0).optionsType(), generated.ProcessUnitOptions.NormalizationOptions);
    const norm = input.processUnits(0).options(new generated.NormalizationOptions());
    assert.deepEqual([norm.mean(0), norm.std(0), norm.meanLength(), norm.stdLength()], [0, 255, 1, 1]);
    const output = sg.outputTensorMetadata(0);
    assert.equal(output.name(), 'probability');
    assert.equal(output.content().contentPropertiesType(), generated.ContentProperties.FeatureProperties);
    assert.equal(output.associatedFilesLength(), 1);
    assert.equal(output.associatedFiles(0).name(), 'labels.txt');
    assert.equal(output.associatedFiles(0).type(), generated.AssociatedFileType.TENSOR_AXIS_LABELS);
    // Our own reader (what the API shows) agrees with the generated one.
    assert.deepEqual(readTfliteMetadata(bytes), META);
  });

  it('labels travel as labels.txt in a zip appended to the file, readable by Python\'s zipfile', async () => {
    const { bytes } = await exportTflite(model, { quantization: 'float32', metadata: META });
    const file = join(dir, 'model.tflite');
    writeFileSync(file, bytes);
    const listed = execFileSync('python3', ['-c', 'import sys, zipfile; z = zipfile.ZipFile(sys.argv[1]); print(z.testzip()); print(z.read("labels.txt").decode(), end="")', file], { encoding: 'utf8' });
    assert.equal(listed, `None\n${META.output.labels.join('\n')}\n`);
    assert.deepEqual(Object.keys(readAssociatedFiles(bytes)), ['labels.txt']);
  });

  it('runtimes still run the files: same outputs with and without metadata (float32 and int8)', async () => {
    const x = tf.tidy(() => tf.randomUniform([2, 28, 28, 1], 0, 1, 'float32', 3).dataSync() as Float32Array);
    const representativeData = [x];
    for (const quantization of ['float32', 'int8'] as const) {
      const plain = (await exportTflite(model, { quantization, representativeData })).bytes;
      const tagged = (await exportTflite(model, { quantization, representativeData, metadata: META })).bytes;
      assert.ok(tagged.length > plain.length);
      assert.equal(readTfliteMetadata(plain), null);
      assert.deepEqual(readTfliteModel(tagged).operators, readTfliteModel(plain).operators);
      const a = await loadTfliteModel(plain);
      const b = await loadTfliteModel(tagged);
      assert.deepEqual(b.predict(x, [2, 28, 28, 1]), a.predict(x, [2, 28, 28, 1]), `${quantization}: tfjs-tflite`);
      a.dispose();
      b.dispose();
    }
  });

  it('Arm NN runs a file with metadata like the same file without', { skip: armNnSkip }, async () => {
    const x = tf.tidy(() => tf.randomUniform([1, 28, 28, 1], 0, 1, 'float32', 4).dataSync() as Float32Array);
    const plain = await runArmNn((await exportTflite(model, { quantization: 'float32' })).bytes, x, [1, 28, 28, 1]);
    const tagged = await runArmNn((await exportTflite(model, { quantization: 'float32', metadata: META })).bytes, x, [1, 28, 28, 1]);
    assert.deepEqual(tagged.output, plain.output);
  });
});
