// A Dataset whose batches are streamed from the host on demand (pull-based, one batch fetched
// ahead), so plugins see data without touching files, databases or the network.
import type { Batch, Dataset, DatasetInfo, Split } from '../../engine/data/types.ts';
import type { BatchOptions } from '@condense/plugin-sdk';
import { onHostMessage, send } from './channel.ts';

let nextIterator = 1;

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
  const unsubscribe = onHostMessage((m) => {
    if (m.type !== 'batch' || m.iterator !== iterator) return;
    requested--;
    const reply: Reply = { batch: m.batch, done: m.done, error: m.error };
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
  const close = (): void => {
    if (finished) return;
    finished = true;
    unsubscribe();
    send({ type: 'batches-close', iterator });
  };
  send({ type: 'batches-open', iterator, split, batchSize, options });
  request();

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
      if (requested === 0 && replies.length === 0) request();
      return { done: false, value: reply.batch };
    },
    async return(): Promise<IteratorResult<Batch>> {
      close();
      return { done: true, value: undefined };
    },
  };
}
