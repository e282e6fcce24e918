// Device telemetry through the real app endpoint: the model client's reports are counted per
// candidate and device class and read back as Candidate.fieldStats; bad payloads, oversized bodies,
// foreign candidates and wrong keys are refused with one clear line and change nothing; a device is
// rate-limited; no install id is stored. Plus the histogram arithmetic the quantiles rest on.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { getModel, InferenceStats, ModelClientError, reportTelemetry, telemetryUrl, type TelemetryReport } from '@condense/model-client';
import { bucketOf, bucketValue, BUCKET_COUNT, quantile } from '../../services/delivery/latency-histogram.ts';
import { candidatesCommand } from '../../services/cli/candidates.ts';
import { withSystem, withTenant } from '../../services/db/tenant.ts';
import { fieldLatencyCalibration, MIN_FIELD_REPORTS } from '../../services/delivery/latency-calibration.ts';
import { keyOf } from '../../services/api/ids.ts';
import { ok } from '../api/harness.ts';
import { startPublished, type Published } from '../model-client/published.ts';

const FIELD_STATS = `query($id: ID!) { node(id: $id) { ... on Candidate { fieldStats {
  overall { reports inferences failures latencyP50Ms latencyP90Ms loadMeanMs failureRate feedbackTotal feedbackAccuracy }
  byDeviceClass { deviceClass reports inferences latencyP50Ms }
} } } }`;

describe('latency histogram', () => {
  it('puts values in log buckets and reads quantiles back within ±12.2 %', () => {
    for (const ms of [0.02, 0.5, 3.7, 42, 999, 12_345]) {
      const counts = new Array<number>(BUCKET_COUNT).fill(0);
      counts[bucketOf(ms)] = 5;
      const back = quantile(counts, 0.5)!;
      assert.ok(Math.abs(back / ms - 1) <= 0.122, `${ms} ms read back as ${back}`);
    }
    assert.equal(bucketOf(0), 0);
    assert.equal(bucketOf(1e9), BUCKET_COUNT - 1);
    assert.equal(quantile(new Array(BUCKET_COUNT).fill(0), 0.5), null);
    // The median of weighted buckets: 3 at ~1 ms, 1 at ~100 ms → ~1 ms.
    const counts = new Array<number>(BUCKET_COUNT).fill(0);
    counts[bucketOf(1)] = 3;
    counts[bucketOf(100)] = 1;
    assert.equal(quantile(counts, 0.5), bucketValue(bucketOf(1)));
    assert.equal(quantile(counts, 0.9), bucketValue(bucketOf(100)));
  });
});

describe('device telemetry', () => {
  let p: Published;
  let candidate: string;
  let other: string;

  before(async () => {
    p = await startPublished();
    candidate = (await p.addCandidate('telemetry-a')).id;
    other = (await p.addCandidate('telemetry-b')).id;
    await p.publish(candidate);
  });
  after(() => p?.h.close());

  const send = (report: TelemetryReport, installId: string, deviceClass?: string) =>
    reportTelemetry({ endpoint: p.h.server.url, projectId: p.projectId, appKey: p.appKey, device: { installId, platform: 'web', deviceClass }, report });
  const stats = async (id: string) => (await ok(p.h.server, p.h.a.ownerKey, FIELD_STATS, { id })).node.fieldStats;

  it('counts the reports of devices per device class and shows them as Candidate.fieldStats', async () => {
    assert.equal(await stats(candidate), null, 'nothing before the first report');
    // The app gets the model, runs it, and reports what it measured.
    const model = await getModel({ endpoint: p.h.server.url, projectId: p.projectId, channel: 'production', appKey: p.appKey, device: { installId: 'device-1' } });
    assert.equal(model.metadata.candidateId, candidate);
    const session = new InferenceStats();
    session.recordLoad(40);
    for (let i = 1; i <= 100; i++) session.recordInference(i <= 90 ? 2 : 20);
    session.recordFailure();
    session.recordFeedback(true);
    session.recordFeedback(false);
    const report = session.toReport(model.metadata.candidateId!);
    assert.deepEqual({ p50: report.latencyP50Ms, p90: report.latencyP90Ms }, { p50: 2, p90: 20 });
    await send(report, 'device-1', 'high-end');
    // Two more devices of another class, slower.
    await send({ candidateId: candidate, inferences: 300, latencyP50Ms: 10, latencyP90Ms: 30, loadMs: 80 }, 'device-2', 'Low-End');
    await send({ candidateId: candidate, inferences: 300, latencyP50Ms: 11, latencyP90Ms: 31 }, 'device-3', 'low-end');

    const s = await stats(candidate);
    assert.equal(s.overall.reports, 3);
    assert.equal(s.overall.inferences, 700);
    assert.equal(s.overall.failures, 1);
    // The median inference ran on a low-end device (600 of 700): ~10 ms, within the bucket resolution.
    assert.ok(Math.abs(s.overall.latencyP50Ms / 10 - 1) <= 0.13, `p50 ${s.overall.latencyP50Ms}`);
    assert.ok(Math.abs(s.overall.latencyP90Ms / 30 - 1) <= 0.13, `p90 ${s.overall.latencyP90Ms}`);
    assert.equal(s.overall.loadMeanMs, 60);
    assert.equal(s.overall.feedbackTotal, 2);
    assert.equal(s.overall.feedbackAccuracy, 0.5);
    assert.ok(Math.abs(s.overall.failureRate - 1 / 701) < 1e-9);
    assert.deepEqual(s.byDeviceClass.map((d: { deviceClass: string; reports: number }) => [d.deviceClass, d.reports]), [['low-end', 2], ['high-end', 1]]);
    assert.ok(Math.abs(s.byDeviceClass[1].latencyP50Ms / 2 - 1) <= 0.13);
  });

  it('`condense candidates` prints the measured device latency beside the estimate', async () => {
    const runId = (await ok(p.h.server, p.h.a.ownerKey, `query($id: ID!) { node(id: $id) { ... on Candidate { run { id } } } }`, { id: candidate })).node.run.id;
    let out = '';
    const write = process.stdout.write;
    process.stdout.write = ((chunk: string) => { out += chunk; return true; }) as typeof process.stdout.write;
    try {
      await candidatesCommand({ run: runId }, { CONDENSE_URL: p.h.server.url, CONDENSE_API_KEY: p.h.a.ownerKey });
    } finally {
      process.stdout.write = write;
    }
    const [header, , ...rows] = out.split('\n');
    assert.match(header!, /est\. latency\s+device p50 \(reports\)/);
    const row = rows.find((r) => r.includes('telemetry-a'))!;
    assert.match(row, /\d+\.\d{3} ms \(3\)/, row);
    assert.match(rows.find((r) => r.includes('telemetry-b'))!, /\s-\s/);
    await assert.rejects(candidatesCommand({ run: runId }, { CONDENSE_URL: p.h.server.url }), /no API key given/);
    await assert.rejects(candidatesCommand({ run: 'nope' }, { CONDENSE_URL: p.h.server.url, CONDENSE_API_KEY: p.h.b.ownerKey }), /no run nope in your organization|refused/);
    await assert.rejects(candidatesCommand({ run: runId }, { CONDENSE_URL: p.h.server.url, CONDENSE_API_KEY: p.h.b.ownerKey }), /no run .* in your organization/);
  });

  it('refuses bad reports with one clear line and counts nothing of them', async () => {
    const before = (await stats(candidate)).overall.reports;
    const bad: [unknown, RegExp][] = [
      [{ candidateId: candidate, inferences: -1 }, /inferences/],
      [{ candidateId: candidate, inferences: 5, latencyP50Ms: 9 }, /latencyP50Ms and latencyP90Ms together/],
      [{ candidateId: candidate, inferences: 5, latencyP50Ms: 9, latencyP90Ms: 3 }, /cannot exceed latencyP90Ms/],
      [{ candidateId: candidate, inferences: 5, feedback: { correct: 3, total: 2 } }, /correct cannot exceed total/],
      [{ candidateId: candidate, inferences: 5, installId: 'smuggled' }, /unrecognized key|installId/i],
      [{ candidateId: candidate, inferences: 1e12 }, /inferences/],
      [{ candidateId: 'not-an-id', inferences: 1 }, /not a candidate id/],
      ['[1, 2', /not valid JSON/],
      [JSON.stringify({ candidateId: candidate, inferences: 1, pad: 'x'.repeat(5_000) }), /at most 4096 bytes/],
    ];
    let i = 0;
    for (const [body, message] of bad) {
      const res = await fetch(telemetryUrl(p.h.server.url, p.projectId), {
        method: 'POST', headers: { authorization: `Bearer ${p.appKey}`, 'content-type': 'application/json', 'x-condense-install-id': `bad-${i++}` },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      });
      const answer = await res.json() as { error: { message: string } };
      assert.ok(res.status === 400 || res.status === 413, `${JSON.stringify(body).slice(0, 80)}: ${res.status}`);
      assert.match(answer.error.message, message);
      assert.ok(!/\n\s+at /.test(answer.error.message));
    }
    // A candidate id that is not this project's (RLS hides other organizations' the same way), and a wrong key.
    await assert.rejects(send({ candidateId: 'Q2FuZGlkYXRlOjAwMDAwMDAwLTAwMDAtNDAwMC04MDAwLTAwMDAwMDAwMDAwMA', inferences: 1 }, 'device-x'),
      (e: ModelClientError) => e.code === 'NOT_FOUND' && /no such candidate in this project/.test(e.message));
    await assert.rejects(reportTelemetry({ endpoint: p.h.server.url, projectId: p.projectId, appKey: 'cnda_wrong', report: { candidateId: candidate, inferences: 1 } }),
      (e: ModelClientError) => e.code === 'UNAUTHENTICATED');
    assert.equal((await stats(candidate)).overall.reports, before);
    // The other candidate of the project may be reported too (a rollout can serve it).
    await send({ candidateId: other, inferences: 1 }, 'device-1');
    assert.equal((await stats(other)).overall.reports, 1);
  });

  it('limits each device, not the app: a burst of 20, then 429 with Retry-After', async () => {
    const results = [];
    for (let i = 0; i < 22; i++) results.push(await send({ candidateId: candidate, inferences: 1 }, 'chatty-device').then(() => 202, (e: ModelClientError) => e.status));
    assert.deepEqual(results.slice(0, 20), new Array(20).fill(202));
    assert.deepEqual(results.slice(20), [429, 429]);
    await send({ candidateId: candidate, inferences: 1 }, 'quiet-device');
  });

  it('calibrates the target\'s latency estimates once a candidate has enough reports', async () => {
    const db = p.h.database.db;
    const uuid = keyOf(candidate, 'Candidate')!;
    const projectUuid = keyOf(p.projectId, 'Project')!;
    await withSystem(db, (trx) => trx.updateTable('candidates').set({ estimated_latency_ms: 5 }).where('id', '=', uuid).execute());
    const calibration = await withTenant(db, p.h.a.orgId, (trx) => fieldLatencyCalibration(trx, projectUuid, 'cpu-int8'));
    const reports = (await stats(candidate)).overall.reports;
    assert.ok(reports >= MIN_FIELD_REPORTS, `${reports} reports`);
    // Devices measured ~10 ms (p50 over inferences) where 5 ms was estimated.
    assert.ok(calibration && Math.abs(calibration.factor / 2 - 1) <= 0.13, JSON.stringify(calibration));
    assert.equal(calibration!.candidates, 1);
    // Another target has no reports: no calibration.
    assert.equal(await withTenant(db, p.h.a.orgId, (trx) => fieldLatencyCalibration(trx, projectUuid, 'mcu-int8')), null);
  });

  it('keeps no install id, address or other device identifier', async () => {
    const rows = await withSystem(p.h.database.db, async (trx) => (await sql<Record<string, unknown>>`select * from candidate_field_stats`.execute(trx)).rows);
    assert.ok(rows.length > 0);
    const stored = JSON.stringify(rows);
    for (const id of ['device-1', 'device-2', 'chatty-device', '127.0.0.1']) assert.ok(!stored.includes(id), `${id} stored`);
    assert.deepEqual(Object.keys(rows[0]!).sort(), ['candidate_id', 'device_class', 'failures', 'feedback_correct', 'feedback_total', 'inferences', 'load_ms_sum', 'load_reports', 'org_id', 'p50_histogram', 'p90_histogram', 'reports', 'updated_at']);
  });
});
