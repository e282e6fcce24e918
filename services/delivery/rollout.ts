// Channel rollouts: which candidate a device gets. A rollout is an ordered list of rules; the
// first rule whose conditions the device meets applies, and the device's bucket (a stable hash of
// project, channel and install id, 0..9999) picks one of the rule's weighted splits. Devices no
// rule matches get the channel's latest deployment. Because the bucket does not depend on the
// weights, growing the first split (5 % → 50 % → 100 %) only ever moves devices into it.
import { createHash } from 'node:crypto';
import semver from 'semver';

export const BUCKETS = 10_000;

export interface RolloutConditions {
  /** Any of these platforms (e.g. android, ios, web); absent = any. */
  platforms?: string[];
  /** A semver range the app version must satisfy, e.g. ">=3.2.0 <4"; absent = any. */
  appVersions?: string;
  /** Any of these device classes; absent = any. */
  deviceClasses?: string[];
}

export interface RolloutSplit {
  candidateId: string;
  /** Percent of the matching devices, > 0; a rule's weights sum to 100. */
  weight: number;
}

export interface RolloutRule {
  conditions: RolloutConditions;
  splits: RolloutSplit[];
}

export interface DeviceContext {
  installId?: string;
  platform?: string;
  appVersion?: string;
  deviceClass?: string;
}

/** The device's bucket in 0..BUCKETS−1: the first 4 bytes of SHA-256(project:channel:installId). */
export function bucketOf(projectId: string, channel: string, installId: string): number {
  return createHash('sha256').update(`${projectId}:${channel}:${installId}`).digest().readUInt32BE(0) % BUCKETS;
}

export function matches(conditions: RolloutConditions, device: DeviceContext): boolean {
  if (conditions.platforms && !(device.platform && conditions.platforms.includes(device.platform.toLowerCase()))) return false;
  if (conditions.deviceClasses && !(device.deviceClass && conditions.deviceClasses.includes(device.deviceClass.toLowerCase()))) return false;
  if (conditions.appVersions) {
    const version = device.appVersion ? semver.coerce(device.appVersion) : null;
    if (!version || !semver.satisfies(version, conditions.appVersions)) return false;
  }
  return true;
}

/** The split's candidate for this bucket (weights taken in order, in basis points). */
export function pickSplit(splits: RolloutSplit[], bucket: number): RolloutSplit {
  let upper = 0;
  for (const split of splits) {
    upper += Math.round(split.weight * (BUCKETS / 100));
    if (bucket < upper) return split;
  }
  return splits[splits.length - 1]!;
}

/**
 * The candidate a rollout assigns to a device, or null for "the channel's latest deployment".
 * A device that sends no install id has no bucket: it gets the rule's heaviest split.
 */
export function assignCandidate(rules: RolloutRule[], projectId: string, channel: string, device: DeviceContext): { candidateId: string; rule: number; bucket: number | null } | null {
  const index = rules.findIndex((rule) => matches(rule.conditions, device));
  if (index < 0) return null;
  const rule = rules[index]!;
  if (!device.installId) {
    const heaviest = rule.splits.reduce((a, b) => (b.weight > a.weight ? b : a));
    return { candidateId: heaviest.candidateId, rule: index, bucket: null };
  }
  const bucket = bucketOf(projectId, channel, device.installId);
  return { candidateId: pickSplit(rule.splits, bucket).candidateId, rule: index, bucket };
}

/** Problems with a rule list, as user-facing messages ([] when valid). */
export function rolloutProblems(rules: RolloutRule[]): string[] {
  const problems: string[] = [];
  if (rules.length > 20) problems.push('at most 20 rules');
  rules.forEach((rule, i) => {
    const at = `rule ${i + 1}`;
    if (rule.splits.length === 0 || rule.splits.length > 10) problems.push(`${at}: 1 to 10 splits`);
    if (rule.splits.some((s) => !(s.weight > 0) || !Number.isFinite(s.weight))) problems.push(`${at}: every weight must be a positive percentage`);
    const total = rule.splits.reduce((n, s) => n + s.weight, 0);
    if (Math.abs(total - 100) > 1e-6) problems.push(`${at}: weights must sum to 100 (got ${total})`);
    if (rule.splits.some((s) => Math.round(s.weight * 100) !== s.weight * 100)) problems.push(`${at}: weights have at most 2 decimals`);
    const c = rule.conditions;
    if (c.appVersions !== undefined && semver.validRange(c.appVersions) === null) problems.push(`${at}: "${c.appVersions}" is not a semver range`);
    for (const list of [c.platforms, c.deviceClasses]) {
      if (list && (list.length === 0 || list.length > 20 || list.some((v) => !/^[a-z0-9._-]{1,40}$/.test(v)))) problems.push(`${at}: platforms and device classes are 1–20 lower-case names`);
    }
  });
  return problems;
}
