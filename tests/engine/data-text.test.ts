// Text datasets: JSONL and CSV with a text column, string or integer labels, binary and
// multi-class, deterministic splits, and one-line errors for empty texts, unknown labels and
// over-long lines.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DatasetError, openDataset, type Dataset, type Split } from '../../services/engine/data/index.ts';
import { MAX_LINE_CHARS } from '../../services/engine/data/jsonl.ts';
import { MAX_TEXT_CHARS } from '../../services/engine/data/text-records.ts';

const open = (text: string, filename: string, options = {}) => openDataset({ bytes: new TextEncoder().encode(text), filename }, options);

async function texts(dataset: Dataset, split: Split): Promise<{ texts: string[]; y: number[] }> {
  const out = { texts: [] as string[], y: [] as number[] };
  for await (const b of dataset.batches(split, 5)) {
    out.texts.push(...b.texts!);
    out.y.push(...b.y);
  }
  return out;
}

async function rejectsWith(promise: Promise<unknown>, pattern: RegExp): Promise<void> {
  await assert.rejects(promise, (error: Error) => {
    assert.ok(error instanceof DatasetError, `expected DatasetError, got ${error.name}: ${error.message}`);
    assert.match(error.message, pattern);
    assert.ok(!error.message.includes('\n'), 'one line');
    return true;
  });
}

const jsonl = (rows: Array<Record<string, unknown>>) => rows.map((r) => JSON.stringify(r)).join('\n');

test('JSONL: string labels (multi-class) and integer labels (binary), seeded splits that repeat', async () => {
  const rows = Array.from({ length: 60 }, (_, i) => ({ text: `message number ${i}`, label: ['sport', 'news', 'tech'][i % 3] }));
  const a = await open(jsonl(rows), 'topics.jsonl', { seed: 4 });
  assert.equal(a.info.kind, 'text');
  assert.equal(a.info.numClasses, 3);
  assert.deepEqual(a.info.labels, ['news', 'sport', 'tech']);
  assert.deepEqual(a.info.splits, { train: 48, validation: 6, test: 6 });
  const again = await open(jsonl(rows), 'topics.jsonl', { seed: 4 });
  assert.deepEqual(await texts(again, 'test'), await texts(a, 'test'), 'same seed, same split');
  const other = await open(jsonl(rows), 'topics.jsonl', { seed: 5 });
  assert.notDeepEqual((await texts(other, 'test')).texts, (await texts(a, 'test')).texts, 'another seed, another split');
  const test0 = await texts(a, 'test');
  for (let i = 0; i < test0.texts.length; i++) {
    const n = Number(test0.texts[i].split(' ').pop());
    assert.equal(a.info.labels[test0.y[i]], rows[n].label, 'each text keeps its own label');
  }
  const binary = await open(jsonl(rows.map((r, i) => ({ text: r.text, label: i % 2 }))), 'b.jsonl');
  assert.equal(binary.info.numClasses, 2);
  assert.deepEqual(binary.info.labels, ['0', '1']);
  const fields = await open(jsonl([{ body: 'a b', y: 'x' }, { body: 'c', y: 'z' }]), 'f.jsonl', { textColumn: 'body', labelColumn: 'y' });
  assert.deepEqual(fields.info.labels, ['x', 'z']);
});

test('CSV with a text column is a text dataset; other columns besides label and split are ignored', async () => {
  const csv = 'id,text,label,split\n1,"free money, now",spam,train\n2,"meeting\nat 10",ham,test\n3,lunch?,ham,\n4,win a prize,spam,\n';
  const d = await open(csv, 'mail.csv', { validationFraction: 0, testFraction: 0 });
  assert.equal(d.info.kind, 'text');
  assert.deepEqual(d.info.inputShape, []);
  assert.deepEqual(d.info.labels, ['ham', 'spam']);
  assert.deepEqual(d.info.splits, { train: 3, validation: 0, test: 1 });
  assert.deepEqual(await texts(d, 'test'), { texts: ['meeting\nat 10'], y: [0] });
  const named = await open('body,label\nhello there,1\nbye,0\n', 'n.csv', { textColumn: 'body' });
  assert.equal(named.info.kind, 'text');
  await rejectsWith(open('a,label\n1,0\n', 'n.csv', { textColumn: 'body' }), /no text column "body" \(columns: a, label\)/);
  const numeric = await open('a,b,label\n1,2,0\n3,4,1\n', 'num.csv');
  assert.equal(numeric.info.kind, 'tensor', 'numeric CSVs are unchanged');
});

test('empty texts, unknown labels and over-long lines are one-line errors naming the line', async () => {
  await rejectsWith(open(jsonl([{ text: 'ok', label: 1 }, { text: '   ', label: 0 }]), 'e.jsonl'), /e\.jsonl: line 2: empty text/);
  await rejectsWith(open('text,label\nfine,a\n"",b\n', 'e.csv'), /e\.csv: line 3: empty text/);
  await rejectsWith(
    open(jsonl([{ text: 'a', label: 'spam' }, { text: 'b', label: 'eggs' }]), 'u.jsonl', { labels: ['ham', 'spam'] }),
    /u\.jsonl: line 2: unknown label "eggs" \(the classes are "ham", "spam"\)/,
  );
  const known = await open(jsonl([{ text: 'a', label: 'spam' }, { text: 'b', label: 'spam' }]), 'k.jsonl', { labels: ['ham', 'spam'] });
  assert.deepEqual(known.info.labels, ['ham', 'spam'], 'named classes keep their order and count even when one is absent');
  assert.equal(known.info.numClasses, 2);
  await rejectsWith(open(jsonl([{ text: 'a', label: 'x' }, { text: 'b', label: 1.5 }]), 'l.jsonl'), /line 2: label 1\.5 is not an integer or a class name/);
  const long = 'w '.repeat(MAX_TEXT_CHARS);
  await rejectsWith(open(jsonl([{ text: 'a', label: 0 }, { text: long, label: 1 }]), 'big.jsonl'), new RegExp(`big\\.jsonl: line 2: text of ${long.length} characters is over the ${MAX_TEXT_CHARS}-character limit`));
  const escaped = '\\u0001'.repeat(MAX_LINE_CHARS / 6 + 1);
  await rejectsWith(open(`{"text":"${escaped}","label":0}`, 'line.jsonl'), /line\.jsonl: line 1: \d+ characters, over the \d+-character line limit/);
  await rejectsWith(open('text,label\nabc,x\n' + `"${'y'.repeat(MAX_TEXT_CHARS + 1)}",z\n`, 'big.csv'), /big\.csv: line 3: text of \d+ characters is over/);
});

test('a benchmark corpus keeps the same seeded subset for a seed, another for another seed, all of it without a limit', async () => {
  const { seededSubset } = await import('../../services/engine/text/seeded-subset.ts');
  assert.deepEqual(seededSubset(5, undefined), [0, 1, 2, 3, 4]);
  assert.deepEqual(seededSubset(5, 9), [0, 1, 2, 3, 4]);
  const a = seededSubset(1000, 100, 1);
  assert.deepEqual(seededSubset(1000, 100, 1), a);
  assert.equal(new Set(a).size, 100);
  assert.ok(a.every((i) => i >= 0 && i < 1000));
  assert.notDeepEqual(seededSubset(1000, 100, 2), a);
  // Spread over the whole corpus, not its head: about half of the picks from each half.
  const low = a.filter((i) => i < 500).length;
  assert.ok(low > 30 && low < 70, `${low} of 100 from the first half`);
});
