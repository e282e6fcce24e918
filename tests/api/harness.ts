// Test harness for the API: a real server on an ephemeral loopback port over a test database,
// two bootstrapped organizations, and small real model/dataset files.
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { zipSync } from 'fflate';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { loadConfig } from '../../services/config.ts';
import { withTenant } from '../../services/db/tenant.ts';
import { bootstrapOrganization, addMember, createApiKey } from '../../services/tenancy/index.ts';
import { createServer, type ApiServer, type CreateServerOptions } from '../../services/api/server.ts';
import { createTestDatabase, type Database } from '../helpers/database.ts';

export interface Org {
  orgId: string;
  ownerKey: string;
  slug: string;
}

export interface Harness {
  database: Database;
  server: ApiServer;
  dataDir: string;
  a: Org;
  b: Org;
  close(): Promise<void>;
}

export async function startHarness(overrides: Partial<CreateServerOptions> = {}, env: Record<string, string> = {}): Promise<Harness> {
  const database = await createTestDatabase();
  const dataDir = mkdtempSync(join(tmpdir(), 'condense-api-test-'));
  const config = loadConfig({ CONDENSE_DATA_DIR: dataDir, CONDENSE_SIGNING_SECRET: 's'.repeat(48), NODE_ENV: 'test', CONDENSE_MAX_UPLOAD_BYTES: '2000000', ...env });
  const orgs: Org[] = [];
  for (const slug of ['org-a', 'org-b']) {
    const boot = await bootstrapOrganization(database.db, { name: slug, slug, ownerEmail: `owner@${slug}.test`, ownerName: 'Owner' });
    orgs.push({ orgId: boot.organization.id, ownerKey: boot.apiKey.secret, slug });
  }
  const server = await createServer({ database, config, port: 0, host: '127.0.0.1', log: process.env.API_TEST_LOG ? (line) => console.error(line) : () => undefined, rateLimit: false, ...overrides });
  return {
    database, server, dataDir, a: orgs[0]!, b: orgs[1]!,
    async close() {
      await server.close();
      await database.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export interface GqlResponse<T = any> {
  status: number;
  body: { data?: T; errors?: { message: string; extensions?: Record<string, any> }[]; extensions?: Record<string, any> };
}

export async function gql<T = any>(server: ApiServer, key: string | null, query: string, variables: Record<string, unknown> = {}): Promise<GqlResponse<T>> {
  const res = await fetch(server.graphqlUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  return { status: res.status, body: (await res.json()) as GqlResponse<T>['body'] };
}

/** Data of a successful operation; fails the test with the errors otherwise. */
export async function ok<T = any>(server: ApiServer, key: string, query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const res = await gql<T>(server, key, query, variables);
  if (res.body.errors?.length) throw new Error(`GraphQL errors: ${JSON.stringify(res.body.errors)}`);
  return res.body.data!;
}

/** A member with the role and an API key for them. */
export async function memberKey(h: Harness, org: Org, role: 'owner' | 'admin' | 'member' | 'viewer', email: string): Promise<string> {
  return withTenant(h.database.db, org.orgId, async (trx) => {
    const { userId } = await addMember(trx, { orgId: org.orgId, email, role });
    return (await createApiKey(trx, { orgId: org.orgId, userId, name: `${role} key` })).secret;
  });
}

export const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/** A tiny real TF.js layers model as a zip (model.json + weights.bin). */
export async function tinyModelZip(): Promise<Uint8Array> {
  if (tf.getBackend() !== 'cpu') await tf.setBackend('cpu');
  const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [4], units: 3, activation: 'softmax' })] });
  let files: Record<string, Uint8Array> = {};
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const weightsManifest = [{ paths: ['weights.bin'], weights: artifacts.weightSpecs! }];
      const json = { modelTopology: artifacts.modelTopology, format: 'layers-model', generatedBy: 'test', convertedBy: null, weightsManifest };
      files = { 'model.json': new TextEncoder().encode(JSON.stringify(json)), 'weights.bin': new Uint8Array(artifacts.weightData as ArrayBuffer) };
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  model.dispose();
  return zipSync(files);
}

/** A small CSV dataset: 4 features, 3 classes. */
export function tinyCsv(rows = 60): Uint8Array {
  const lines = ['f1,f2,f3,f4,label'];
  for (let i = 0; i < rows; i++) lines.push(`${i % 5},${(i * 7) % 3},${i / 10},${(i * 3) % 11},${i % 3}`);
  return new TextEncoder().encode(lines.join('\n') + '\n');
}

export const CREATE_UPLOAD = `mutation($input: CreateUploadInput!) { createUpload(input: $input) {
  upload { id status } uploadUrl expiresAt userErrors { code field message } } }`;

/** createUpload + PUT; returns the upload id and the PUT response. */
export async function upload(
  server: ApiServer, key: string, purpose: 'MODEL' | 'DATASET', filename: string, bytes: Uint8Array,
  options: { declaredSha?: string; declaredBytes?: number; send?: Uint8Array } = {},
): Promise<{ uploadId: string; uploadUrl: string; put: Response }> {
  const data = await ok(server, key, CREATE_UPLOAD, {
    input: { purpose, filename, bytes: options.declaredBytes ?? bytes.length, sha256: options.declaredSha ?? sha256(bytes) },
  });
  const payload = data.createUpload;
  if (payload.userErrors.length) throw new Error(JSON.stringify(payload.userErrors));
  const put = await fetch(payload.uploadUrl, { method: 'PUT', body: Buffer.from(options.send ?? bytes), headers: { 'content-type': 'application/octet-stream' } });
  return { uploadId: payload.upload.id, uploadUrl: payload.uploadUrl, put };
}

export const CREATE_PROJECT = `mutation($input: CreateProjectInput!) { createProject(input: $input) { project { id name } userErrors { code field message } } }`;

/** A project with a model version and a dataset, ready for runs. */
export async function seedProject(h: Harness, org: Org, name = 'digits'): Promise<{ projectId: string; modelVersionId: string; datasetId: string }> {
  const { server } = h;
  const project = (await ok(server, org.ownerKey, CREATE_PROJECT, { input: { name } })).createProject.project;
  const model = await upload(server, org.ownerKey, 'MODEL', 'model.zip', await tinyModelZip());
  const mv = await ok(server, org.ownerKey, `mutation($input: CompleteModelUploadInput!) { completeModelUpload(input: $input) {
    modelVersion { id } userErrors { code message } } }`, { input: { uploadId: model.uploadId, projectId: project.id, modelName: 'classifier' } });
  if (mv.completeModelUpload.userErrors.length) throw new Error(JSON.stringify(mv.completeModelUpload.userErrors));
  const datasetId = await seedCsvDataset(server, org.ownerKey, project.id);
  return { projectId: project.id, modelVersionId: mv.completeModelUpload.modelVersion.id, datasetId };
}

/** The tiny CSV uploaded as dataset 'csv' of the project; its id. */
export async function seedCsvDataset(server: ApiServer, key: string, projectId: string): Promise<string> {
  const data = await upload(server, key, 'DATASET', 'data.csv', tinyCsv());
  const ds = await ok(server, key, `mutation($input: CompleteDatasetUploadInput!) { completeDatasetUpload(input: $input) {
    dataset { id } userErrors { code message } } }`, { input: { uploadId: data.uploadId, projectId, name: 'csv' } });
  if (ds.completeDatasetUpload.userErrors.length) throw new Error(JSON.stringify(ds.completeDatasetUpload.userErrors));
  return ds.completeDatasetUpload.dataset.id;
}

export const START_RUN = `mutation($input: StartRunInput!) { startRun(input: $input) { run { id status targets autoTechniques } userErrors { code field message } } }`;

export function wsClient(server: ApiServer, key: string | null, options: { retryAttempts?: number } = {}): Client {
  return createClient({
    url: server.wsUrl,
    webSocketImpl: WebSocket,
    connectionParams: key ? { authorization: `Bearer ${key}` } : {},
    retryAttempts: options.retryAttempts ?? 0,
    lazy: true,
  });
}

/** Collects subscription results until it completes or `count` arrived. */
export function collect(client: Client, query: string, variables: Record<string, unknown>, count = Infinity): { done: Promise<any[]>; items: any[] } {
  const items: any[] = [];
  let dispose: () => void = () => undefined;
  const done = new Promise<any[]>((resolve, reject) => {
    dispose = client.subscribe({ query, variables }, {
      next: (value) => {
        if (items.length >= count) return;
        items.push(value);
        if (items.length >= count) {
          dispose();
          resolve(items);
        }
      },
      error: (error) => reject(error instanceof Error ? error : new Error(JSON.stringify(error))),
      complete: () => resolve(items),
    });
  });
  return { done, items };
}
