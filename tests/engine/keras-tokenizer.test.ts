// The Keras Tokenizer front end: the JSON Keras writes with tokenizer.to_json(), word splitting
// with filters, num_words and OOV handling as texts_to_sequences does, pad_sequences' pre/post
// padding and truncation, and one-line errors for files that are not a tokenizer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  fitKerasTokenizer, kerasTokenizerJson,
  padSequence, parseKerasTokenizer, textToSequence, textToWordSequence, tokenizeTexts, TokenizerError,
} from '../../services/engine/text/keras-tokenizer.ts';

// The shape tokenizer.to_json() writes: word_index (and the count tables) are JSON strings.
const toJson = (config: Record<string, unknown>) => JSON.stringify({
  class_name: 'Tokenizer',
  config: {
    filters: '!"#$%&()*+,-./:;<=>?@[\\]^_`{|}~\t\n', lower: true, split: ' ', char_level: false, document_count: 3,
    word_counts: '{}', word_docs: '{}', index_docs: '{}', index_word: '{}', ...config,
  },
});

const wordIndex = { '<OOV>': 1, free: 2, money: 3, now: 4, win: 5, prize: 6 };

test('splits, lower-cases and filters like text_to_word_sequence', () => {
  const t = parseKerasTokenizer(toJson({ num_words: null, oov_token: null, word_index: JSON.stringify(wordIndex) }));
  assert.deepEqual(textToWordSequence('FREE money!!  Now,win\ta prize.', t), ['free', 'money', 'now', 'win', 'a', 'prize']);
  assert.deepEqual(textToSequence('FREE money!!  Now,win\ta prize.', t), [2, 3, 4, 5, 6], 'unknown words vanish without an OOV token');
});

test('num_words and the OOV token follow texts_to_sequences', () => {
  const t = parseKerasTokenizer(toJson({ num_words: 5, oov_token: '<OOV>', word_index: JSON.stringify(wordIndex) }));
  // win (5) and prize (6) are ≥ num_words → OOV; "a" is unknown → OOV.
  assert.deepEqual(textToSequence('free money now win a prize', t), [2, 3, 4, 1, 1, 1]);
  const noOov = parseKerasTokenizer(toJson({ num_words: 5, oov_token: null, word_index: wordIndex }));
  assert.deepEqual(textToSequence('free money now win a prize', noOov), [2, 3, 4], 'word_index may also be an object');
  const chars = parseKerasTokenizer(toJson({ char_level: true, oov_token: null, word_index: { a: 1, b: 2 } }));
  assert.deepEqual(textToSequence('AbC', chars), [1, 2]);
});

test('pads and truncates like pad_sequences (pre by default), as float32 model input', () => {
  assert.deepEqual(padSequence([1, 2, 3], { length: 5 }), [0, 0, 1, 2, 3]);
  assert.deepEqual(padSequence([1, 2, 3], { length: 5, padding: 'post' }), [1, 2, 3, 0, 0]);
  assert.deepEqual(padSequence([1, 2, 3, 4], { length: 2 }), [3, 4]);
  assert.deepEqual(padSequence([1, 2, 3, 4], { length: 2, truncating: 'post' }), [1, 2]);
  const t = parseKerasTokenizer(toJson({ oov_token: '<OOV>', word_index: JSON.stringify(wordIndex) }));
  assert.deepEqual(Array.from(tokenizeTexts(['win money', 'free free free free'], t, { length: 3 })), [0, 5, 3, 2, 2, 2]);
});

test('files that are not a Keras tokenizer are one-line errors', () => {
  assert.throws(() => parseKerasTokenizer('{', 'tok.json'), (e: Error) => e instanceof TokenizerError && e.message === 'tok.json is not valid JSON');
  assert.throws(() => parseKerasTokenizer('{"class_name":"Other"}'), /is not a Keras Tokenizer/);
  assert.throws(() => parseKerasTokenizer(toJson({ word_index: '{"a": 0}' })), /word_index\["a"\] is 0, not a positive integer/);
  assert.throws(() => parseKerasTokenizer(toJson({ num_words: -3, word_index: '{}' })), /num_words must be a positive integer/);
});

test('fit_on_texts: ids by count, ties in order of first appearance, OOV first; to_json round-trips', () => {
  // counts: the 3, cat 2, sat 2 (cat seen first), on 1, mat 1, a 1 — hand-computed as Keras does.
  const t = fitKerasTokenizer(['The cat sat on the mat.', 'A cat sat: THE end'], { numWords: 4, oovToken: '<OOV>' });
  assert.deepEqual([...t.wordIndex], [['<OOV>', 1], ['the', 2], ['cat', 3], ['sat', 4], ['on', 5], ['mat', 6], ['a', 7], ['end', 8]]);
  assert.deepEqual(textToSequence('the cat sat on a mat', t), [2, 3, 1, 1, 1, 1], 'num_words 4 keeps ids 1..3');
  const back = parseKerasTokenizer(kerasTokenizerJson(t));
  assert.deepEqual(back, t);
});
