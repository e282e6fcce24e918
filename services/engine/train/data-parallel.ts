// The two primitives of synchronous data-parallel training over worker threads (as in Horovod:
// Sergeev & Del Balso 2018): which rows of a batch (or which parameters) a worker owns, and a
// barrier in shared memory that every worker passes before anyone reads what the others wrote.
// tfjs's wasm backend is single-threaded in Node, so this is how one training job uses more than
// one core (the demo's teacher, the benches' teachers).

/** Rows [from, to) of `size` that worker `rank` of `workers` owns (near-equal, contiguous slices). */
export function shard(size: number, rank: number, workers: number): [number, number] {
  const at = (r: number) => Math.floor((size * r) / workers);
  return [at(rank), at(rank + 1)];
}

/**
 * Sense-reversing barrier over `state` = [arrived, generation] (an Int32Array on a
 * SharedArrayBuffer shared by all `parties`): returns once every party has called it for this
 * generation; throws when one has not arrived within `timeoutMs` (it died or hung).
 */
export function barrier(state: Int32Array, parties: number, timeoutMs: number): void {
  const generation = Atomics.load(state, 1);
  if (Atomics.add(state, 0, 1) + 1 === parties) {
    Atomics.store(state, 0, 0);
    Atomics.add(state, 1, 1);
    Atomics.notify(state, 1);
    return;
  }
  while (Atomics.load(state, 1) === generation) {
    if (Atomics.wait(state, 1, generation, timeoutMs) === 'timed-out') throw new Error('data-parallel training: another worker stopped answering');
  }
}
