// Rollout assignment: bucket stability and weights over 10,000 simulated installs, monotonic
// growth of a staged rollout, condition matching, validation.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { assignCandidate, bucketOf, matches, rolloutProblems, type RolloutRule } from '../../services/delivery/rollout.ts';

// Fixed install ids (UUID-shaped, from a hash of their index), so the shares are the same on every
// run: random ones put a 50 % split outside ±1 point about one run in twenty.
const installs = Array.from({ length: 10_000 }, (_, i) => createHash('sha256').update(`install-${i}`).digest('hex').replace(/^(.{8})(.{4})(.{4})(.{4})(.{12}).*$/, '$1-$2-$3-$4-$5'));
const share = (rules: RolloutRule[], device = {}) => {
  const counts = new Map<string, number>();
  for (const installId of installs) {
    const got = assignCandidate(rules, 'p1', 'production', { ...device, installId })!.candidateId;
    counts.set(got, (counts.get(got) ?? 0) + 1);
  }
  return (id: string) => (100 * (counts.get(id) ?? 0)) / installs.length;
};
const rule = (splits: [string, number][], conditions = {}): RolloutRule => ({ conditions, splits: splits.map(([candidateId, weight]) => ({ candidateId, weight })) });

describe('rollout assignment', () => {
  it('10,000 installs land within ±1 point of the configured weights', () => {
    for (const weights of [[['new', 5], ['old', 95]], [['new', 50], ['old', 50]], [['a', 20], ['b', 30], ['c', 50]]] as [string, number][][]) {
      const of = share([rule(weights)]);
      for (const [id, weight] of weights) assert.ok(Math.abs(of(id) - weight) <= 1, `${id}: ${of(id)}% for weight ${weight}`);
    }
  });

  it('a device keeps its bucket, and growing 5 → 50 → 100 % only moves devices to the new model', () => {
    for (const id of installs.slice(0, 100)) assert.equal(bucketOf('p1', 'production', id), bucketOf('p1', 'production', id));
    const at = (pct: number) => installs.map((installId) => assignCandidate([rule(pct === 100 ? [['new', 100]] : [['new', pct], ['old', 100 - pct]])], 'p1', 'production', { installId })!.candidateId);
    const [five, fifty, all] = [at(5), at(50), at(100)];
    five.forEach((c, i) => {
      if (c === 'new') assert.equal(fifty[i], 'new', 'a 5 % device stays on the new model at 50 %');
    });
    assert.ok(all.every((c) => c === 'new'));
    // Another channel buckets the same install independently.
    const other = installs.filter((id) => bucketOf('p1', 'beta', id) === bucketOf('p1', 'production', id)).length;
    assert.ok(other < 10, `${other} installs share their bucket across channels`);
  });

  it('matches platform, app-version range and device class; the first matching rule wins; no match → null', () => {
    const rules = [rule([['ios-new', 100]], { platforms: ['ios'], appVersions: '>=3.2.0 <4' }), rule([['low', 100]], { deviceClasses: ['low-end'] })];
    const pick = (device: Record<string, string>) => assignCandidate(rules, 'p1', 'production', { installId: 'x', ...device })?.candidateId ?? null;
    assert.equal(pick({ platform: 'ios', appVersion: '3.4.1' }), 'ios-new');
    assert.equal(pick({ platform: 'iOS', appVersion: '3.2' }), 'ios-new');
    assert.equal(pick({ platform: 'ios', appVersion: '4.0.0' }), null);
    assert.equal(pick({ platform: 'ios' }), null, 'a range needs a version');
    assert.equal(pick({ platform: 'android', appVersion: '3.4.1', deviceClass: 'low-end' }), 'low');
    assert.equal(pick({ platform: 'ios', appVersion: '3.4.1', deviceClass: 'low-end' }), 'ios-new');
    assert.equal(pick({ platform: 'android' }), null);
    assert.equal(matches({}, {}), true);
  });

  it('a device without an install id gets the heaviest split', () => {
    assert.equal(assignCandidate([rule([['a', 30], ['b', 70]])], 'p1', 'production', {})!.candidateId, 'b');
  });

  it('rejects bad rules with clear messages', () => {
    assert.deepEqual(rolloutProblems([rule([['a', 50], ['b', 50]])]), []);
    assert.deepEqual(rolloutProblems([rule([['a', 60], ['b', 50]])]), ['rule 1: weights must sum to 100 (got 110)']);
    assert.match(rolloutProblems([rule([['a', 100]], { appVersions: 'banana' })])[0]!, /not a semver range/);
    assert.match(rolloutProblems([rule([['a', -5], ['b', 105]])])[0]!, /positive/);
    assert.match(rolloutProblems([rule([['a', 100]], { platforms: [] })])[0]!, /lower-case names/);
  });
});
