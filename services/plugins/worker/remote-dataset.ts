// A Dataset whose batches are streamed from the host on demand (pull-based, PREFETCH_BATCHES
// fetched ahead), so plugins see data without touching files, databases or the network.
import type { Batch, Dataset, DatasetInfo, Split } from '../../engine/data/types.ts';
import type { BatchOptions } from '@condense/plugin-sdk';
import { onHostMessage, send } from './channel.ts';

let nextIterator = 1;

/**
 * Batches requested ahead of the one the plugin trains on: at most PREFETCH_BATCHES and
 * PREFETCH_BYTES of them (one until the first batch shows its size). The host answers from its
 * main thread, which also exports and measures candidates (a second or more without serving I/O);
 * with a queue this deep a plugin keeps training through such a pause instead of waiting for its
 * next batch.
 */
export const PREFETCH_BATCHES = 16;
export const PREFETCH_BYTES = 32 * 1024 * 1024;

export class RemoteDataset implements Dataset {
  constructor(readonly info: DatasetInfo) {}

  batches(split: Split, batchSize: number, options?: BatchOptions): AsyncIterable<Batch> {
    if (split !== 'train' && split !== 'validation') {
      throw new Error(`plugins may read the 'train' and 'validation' splits, not '${split}'`);
    }
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`batchSize must be a positive integer, got ${batchSize}`);
    const clean = options ? { ...(options.shuffleSeed !== undefined ? { shuffleSeed: options.shuffleSeed } : {}), ...(options.limit !== undefined ? { limit: options.limit } : {}) } : undefined;
    return { [Symbol.asyncIterator]: () => openIterator(split, batchSize, clean) };
  }
}

type Reply = { batch?: Batch; done?: boolean; error?: string };

function openIterator(split: 'train' | 'validation', batchSize: number, options?: BatchOptions): AsyncIterator<Batch> {
  const iterator = nextIterator++;
  const replies: Reply[] = [];
  let waiting: ((reply: Reply) => void) | null = null;
  let requested = 0;
  let finished = false;
  // Once the host answered "done" (or an error), nothing more is requested.
  let ended = false;
  let depth = 1;
  const unsubscribe = onHostMessage((m) => {
    if (m.type !== 'batch' || m.iterator !== iterator) return;
    requested--;
    const reply: Reply = { batch: m.batch, done: m.done, error: m.error };
    if (reply.done || reply.error || !reply.batch) ended = true;
    else {
      const bytes = (reply.batch.x?.byteLength ?? 0) + reply.batch.y.byteLength + (reply.batch.texts?.reduce((n, t) => n + t.length * 2, 0) ?? 0);
      depth = Math.max(1, Math.min(PREFETCH_BATCHES, Math.floor(PREFETCH_BYTES / Math.max(1, bytes))));
    }
    if (waiting) {
      const w = waiting;
      waiting = null;
      w(reply);
    } else replies.push(reply);
  });
  const request = (): void => {
    requested++;
    send({ type: 'batches-next', iterator });
  };
  const topUp = (): void => {
    while (!ended && !finished && requested + replies.length < depth) request();
  };
  const close = (): void => {
    if (finished) return;
    finished = true;
    unsubscribe();
    send({ type: 'batches-close', iterator });
  };
  send({ type: 'batches-open', iterator, split, batchSize, options });
  topUp();

  return {
    async next(): Promise<IteratorResult<Batch>> {
      if (finished) return { done: true, value: undefined };
      const reply = replies.shift() ?? await new Promise<Reply>((resolve) => { waiting = resolve; });
      if (reply.error) {
        close();
        throw new Error(reply.error);
      }
      if (reply.done || !reply.batch) {
        close();
        return { done: true, value: undefined };
      }
      // Fetch ahead while the caller trains on this batch.
      topUp();
      return { done: false, value: reply.batch };
    },
    async return(): Promise<IteratorResult<Batch>> {
      close();
      return { done: true, value: undefined };
    },
  };
}
