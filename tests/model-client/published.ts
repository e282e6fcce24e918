// A real server with a project whose candidates can be published to channels, and an app key:
// what the model-client tests talk to.
import { randomBytes } from 'node:crypto';
import { openBlobStore } from '../../services/blob/index.ts';
import { withTenant } from '../../services/db/tenant.ts';
import { keyOf, toGlobalId } from '../../services/api/ids.ts';
import { insertCandidate } from '../../services/runs-store/index.ts';
import { ok, seedProject, sha256, START_RUN, startHarness, type Harness } from '../api/harness.ts';

export interface Published {
  h: Harness;
  projectId: string;
  appKey: string;
  /** Stores the bytes and records a succeeded candidate with them; returns its global id. */
  addCandidate(key: string, bytes?: Uint8Array): Promise<{ id: string; bytes: Uint8Array; sha256: string }>;
  publish(candidateId: string, channel?: string): Promise<void>;
}

export async function startPublished(): Promise<Published> {
  const h = await startHarness();
  const seeded = await seedProject(h, h.a, 'app');
  const run = (await ok(h.server, h.a.ownerKey, START_RUN, { input: { modelVersionId: seeded.modelVersionId, datasetId: seeded.datasetId, targets: ['cpu-int8'] } })).startRun.run;
  const ref = { orgId: h.a.orgId, runId: keyOf(run.id, 'CompressionRun')! };
  const blobs = openBlobStore({ dataDir: h.dataDir });
  const appKey = (await ok(h.server, h.a.ownerKey, `mutation($input: CreateAppKeyInput!) { createAppKey(input: $input) { secret } }`, { input: { projectId: seeded.projectId, name: 'app' } })).createAppKey.secret;
  return {
    h, projectId: seeded.projectId, appKey,
    async addCandidate(key, bytes = new Uint8Array(randomBytes(20_000))) {
      await blobs.put(bytes);
      const id = await withTenant(h.database.db, h.a.orgId, (trx) => insertCandidate(trx, ref, { key, target: 'cpu-int8', chain: [], ok: true, tfliteSha256: sha256(bytes), bytes: bytes.length }));
      return { id: toGlobalId('Candidate', id), bytes, sha256: sha256(bytes) };
    },
    async publish(candidateId, channel = 'production') {
      const data = await ok(h.server, h.a.ownerKey, `mutation($input: PublishCandidateInput!) { publishCandidate(input: $input) { userErrors { code message } } }`, { input: { candidateId, channel } });
      if (data.publishCandidate.userErrors.length) throw new Error(JSON.stringify(data.publishCandidate.userErrors));
    },
  };
}
