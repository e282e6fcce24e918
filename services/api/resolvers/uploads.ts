// Uploads: ask for a signed URL, PUT the bytes, then register them as a model version or dataset.
// Validation (format, shapes, labels) runs outside any transaction: it can take a while and the
// embedded database is a single session.
import { Arg, Authorized, Ctx, Field, Float, ID, InputType, Int, Mutation, ObjectType, Resolver } from 'type-graphql';
import { sql } from 'kysely';
import { caller, type ApiContext } from '../context.ts';
import type { UploadedFile } from '../dependencies.ts';
import { UserFacingError } from '../errors.ts';
import { keyOf } from '../ids.ts';
import { idempotent, mutate } from '../mutations.ts';
import { DateTime, UploadPurposeEnum, UserError } from '../types/common.ts';
import { Dataset, Model, ModelVersion, Upload } from '../types/project.ts';
import { requireProject } from './projects.ts';
import type { TenantTransaction } from '../../db/tenant.ts';

const SHA256 = /^[0-9a-f]{64}$/;

@InputType({ description: 'Announce an upload: what it is, its size and SHA-256. The PUT must match both.' })
class CreateUploadInput {
  @Field(() => UploadPurposeEnum, { description: 'MODEL or DATASET.' })
  purpose!: UploadPurposeEnum;

  @Field(() => String, { description: 'File name; its extension helps detect the format (e.g. model.keras, digits.npz).' })
  filename!: string;

  @Field(() => Int, { description: 'Exact size in bytes.' })
  bytes!: number;

  @Field(() => String, { description: 'SHA-256 of the bytes, lower-case hex.' })
  sha256!: string;

  @Field(() => String, { nullable: true, description: 'Same key + same input returns the same upload; same key + other input is an error.' })
  idempotencyKey?: string | null;
}

@ObjectType({ description: 'Result of createUpload: PUT the bytes to `uploadUrl` before `expiresAt`.' })
class CreateUploadPayload {
  @Field(() => Upload, { nullable: true, description: 'The pending upload.' })
  upload?: Upload | null;

  @Field(() => String, { nullable: true, description: 'Signed URL; send the bytes with HTTP PUT.' })
  uploadUrl?: string | null;

  @Field(() => DateTime, { nullable: true, description: 'When the URL stops working.' })
  expiresAt?: Date | null;

  @Field(() => [UserError], { description: 'Expected failures.' })
  userErrors!: UserError[];
}

@InputType({ description: 'Register a received upload as a new version of a model (created when new).' })
class CompleteModelUploadInput {
  @Field(() => ID, { description: 'Upload id.' })
  uploadId!: string;

  @Field(() => ID, { description: 'Project id.' })
  projectId!: string;

  @Field(() => String, { description: 'Model name in the project; a new name creates the model.' })
  modelName!: string;
}

@ObjectType({ description: 'Result of completeModelUpload.' })
class CompleteModelUploadPayload {
  @Field(() => Model, { nullable: true, description: 'The model.' })
  model?: Model | null;

  @Field(() => ModelVersion, { nullable: true, description: 'The new version.' })
  modelVersion?: ModelVersion | null;

  @Field(() => [UserError], { description: 'Expected failures (e.g. INVALID_MODEL with the reason).' })
  userErrors!: UserError[];
}

@InputType({ description: 'Register a received upload as a dataset.' })
class CompleteDatasetUploadInput {
  @Field(() => ID, { description: 'Upload id.' })
  uploadId!: string;

  @Field(() => ID, { description: 'Project id.' })
  projectId!: string;

  @Field(() => String, { description: 'Dataset name.' })
  name!: string;

  @Field(() => String, { nullable: true, description: 'CSV label column (default "label").' })
  labelColumn?: string | null;

  @Field(() => Float, { nullable: true, description: 'Fraction held out for validation when the file has no split.' })
  validationFraction?: number | null;

  @Field(() => Float, { nullable: true, description: 'Fraction held out for testing when the file has no split.' })
  testFraction?: number | null;
}

@ObjectType({ description: 'Result of completeDatasetUpload.' })
class CompleteDatasetUploadPayload {
  @Field(() => Dataset, { nullable: true, description: 'The new dataset.' })
  dataset?: Dataset | null;

  @Field(() => [UserError], { description: 'Expected failures (e.g. INVALID_DATASET with the reason).' })
  userErrors!: UserError[];
}

/** Loads a received upload of the purpose, or explains why it cannot be completed. */
async function receivedUpload(trx: TenantTransaction, id: string, purpose: 'model' | 'dataset') {
  const uuid = keyOf(id, 'Upload');
  const row = uuid ? await trx.selectFrom('uploads').selectAll().where('id', '=', uuid).executeTakeFirst() : undefined;
  if (!row || row.purpose !== purpose) throw new UserFacingError('NOT_FOUND', `${purpose} upload not found`, 'uploadId');
  if (row.status === 'pending') throw new UserFacingError('UPLOAD_NOT_RECEIVED', 'the bytes have not been uploaded yet (PUT them to the upload URL)', 'uploadId');
  if (row.status === 'rejected') throw new UserFacingError(purpose === 'model' ? 'INVALID_MODEL' : 'INVALID_DATASET', row.error ?? 'rejected', 'uploadId');
  return row;
}

/** Locks the upload row for this transaction; the id of what it was registered as, if it already was. */
async function lockUpload(trx: TenantTransaction, uploadId: string): Promise<string | null> {
  const row = await trx.selectFrom('uploads').select(['status', 'result_id']).where('id', '=', uploadId).forUpdate().executeTakeFirstOrThrow();
  return row.status === 'completed' && row.result_id ? row.result_id : null;
}

async function reject(context: ApiContext, uploadId: string, code: 'INVALID_MODEL' | 'INVALID_DATASET', message: string): Promise<never> {
  await context.tenant((trx) => trx.updateTable('uploads').set({ status: 'rejected', error: message }).where('id', '=', uploadId).execute());
  throw new UserFacingError(code, message, 'uploadId');
}

/** The received bytes of an upload, streamed from the blob store (never read whole here). */
function uploadedFile(context: ApiContext, upload: { filename: string; declared_sha256: string; declared_bytes: number | string; bytes: number | string | null }): UploadedFile {
  return {
    filename: upload.filename,
    size: Number(upload.bytes ?? upload.declared_bytes),
    open: async () => (await context.services.blobs.open(upload.declared_sha256)) as AsyncIterable<Uint8Array>,
  };
}

const oneLine = (error: unknown): string => String((error as Error)?.message ?? error).split('\n')[0]!.slice(0, 500);

@Resolver()
export class UploadMutations {
  @Authorized('MEMBER')
  @Mutation(() => CreateUploadPayload, { description: 'Start an upload: returns a short-lived signed URL to PUT the bytes to.' })
  createUpload(@Arg('input', () => CreateUploadInput, { description: 'What will be uploaded.' }) input: CreateUploadInput, @Ctx() context: ApiContext) {
    const auth = caller(context);
    const { config, signer, signedUrlTtlSeconds } = context.services;
    return mutate(async () => {
      const filename = input.filename.trim();
      if (!/^[^/\\\0]{1,255}$/.test(filename)) throw new UserFacingError('INVALID_INPUT', 'filename must be 1 to 255 characters without slashes', 'filename');
      if (!Number.isInteger(input.bytes) || input.bytes < 1) throw new UserFacingError('INVALID_INPUT', 'bytes must be a positive integer', 'bytes');
      if (input.bytes > config.maxUploadBytes) {
        throw new UserFacingError('INVALID_INPUT', `the upload is larger than this server accepts (${config.maxUploadBytes} bytes)`, 'bytes');
      }
      const sha256 = input.sha256.toLowerCase();
      if (!SHA256.test(sha256)) throw new UserFacingError('INVALID_INPUT', 'sha256 must be 64 hex characters', 'sha256');
      const { uploadId } = await context.tenant((trx) =>
        idempotent(trx, auth.orgId, 'createUpload', input.idempotencyKey, { ...input, idempotencyKey: undefined, sha256 }, async () => {
          const row = await trx.insertInto('uploads').values({
            org_id: auth.orgId, purpose: input.purpose, filename, declared_bytes: input.bytes, declared_sha256: sha256, created_by: auth.userId,
            expires_at: sql<Date>`now() + make_interval(secs => ${signedUrlTtlSeconds})`,
          }).returning('id').executeTakeFirstOrThrow();
          return { uploadId: row.id };
        }),
      );
      const row = await context.tenant((trx) => trx.selectFrom('uploads').selectAll().where('id', '=', uploadId).executeTakeFirstOrThrow());
      const ttl = Math.max(1, Math.floor((row.expires_at.getTime() - Date.now()) / 1000));
      const { token, expiresAt } = signer.sign({ p: 'upload', o: auth.orgId, s: row.id }, ttl);
      return { upload: Upload.from(row), uploadUrl: `${context.services.publicUrl()}/uploads/${row.id}?token=${token}`, expiresAt };
    });
  }

  @Authorized('MEMBER')
  @Mutation(() => CompleteModelUploadPayload, { description: 'Validate a received model upload and register it as a new model version.' })
  completeModelUpload(@Arg('input', () => CompleteModelUploadInput, { description: 'Upload and where to register it.' }) input: CompleteModelUploadInput, @Ctx() context: ApiContext) {
    const auth = caller(context);
    return mutate(async () => {
      const upload = await context.tenant(async (trx) => {
        await requireProject(trx, input.projectId);
        return receivedUpload(trx, input.uploadId, 'model');
      });
      const name = input.modelName.trim();
      if (name.length < 1 || name.length > 200) throw new UserFacingError('INVALID_INPUT', 'modelName must be 1 to 200 characters', 'modelName');
      if (upload.status === 'completed' && upload.result_id) {
        return context.tenant(async (trx) => {
          const version = await trx.selectFrom('model_versions').selectAll().where('id', '=', upload.result_id!).executeTakeFirstOrThrow();
          const model = await trx.selectFrom('models').selectAll().where('id', '=', version.model_id).executeTakeFirstOrThrow();
          return { model: Model.from(model), modelVersion: ModelVersion.from(version) };
        });
      }
      let metadata;
      try {
        metadata = await context.services.inspectModel(uploadedFile(context, upload));
      } catch (error) {
        return reject(context, upload.id, 'INVALID_MODEL', oneLine(error));
      }
      return context.tenant(async (trx) => {
        // Concurrent completions of one upload: the first registers, the others wait here and
        // return what it registered (the unique upload_id makes a second row impossible anyway).
        const done = await lockUpload(trx, upload.id);
        if (done) {
          const version = await trx.selectFrom('model_versions').selectAll().where('id', '=', done).executeTakeFirstOrThrow();
          const model = await trx.selectFrom('models').selectAll().where('id', '=', version.model_id).executeTakeFirstOrThrow();
          return { model: Model.from(model), modelVersion: ModelVersion.from(version) };
        }
        const project = await requireProject(trx, input.projectId);
        const model =
          (await trx.selectFrom('models').selectAll().where('project_id', '=', project.id).where('name', '=', name).executeTakeFirst()) ??
          (await trx.insertInto('models').values({ org_id: auth.orgId, project_id: project.id, name, created_by: auth.userId }).returningAll().executeTakeFirstOrThrow());
        const last = await trx.selectFrom('model_versions').select((eb) => eb.fn.max('version').as('v')).where('model_id', '=', model.id).executeTakeFirst();
        const version = await trx.insertInto('model_versions').values({
          org_id: auth.orgId, model_id: model.id, version: Number(last?.v ?? 0) + 1, filename: upload.filename, format: metadata.format,
          blob_sha256: upload.declared_sha256, bytes: Number(upload.bytes ?? upload.declared_bytes), parameter_count: metadata.parameterCount,
          signature: JSON.stringify(metadata.signature), layer_types: JSON.stringify(metadata.layerTypes), created_by: auth.userId,
          preflight: metadata.preflight ? JSON.stringify(metadata.preflight) : null, upload_id: upload.id,
        }).returningAll().executeTakeFirstOrThrow();
        await trx.updateTable('uploads').set({ status: 'completed', result_id: version.id, completed_at: new Date() }).where('id', '=', upload.id).execute();
        return { model: Model.from(model), modelVersion: ModelVersion.from(version) };
      });
    });
  }

  @Authorized('MEMBER')
  @Mutation(() => CompleteDatasetUploadPayload, { description: 'Validate a received dataset upload and register it.' })
  completeDatasetUpload(@Arg('input', () => CompleteDatasetUploadInput, { description: 'Upload and dataset fields.' }) input: CompleteDatasetUploadInput, @Ctx() context: ApiContext) {
    const auth = caller(context);
    return mutate(async () => {
      const upload = await context.tenant(async (trx) => {
        await requireProject(trx, input.projectId);
        return receivedUpload(trx, input.uploadId, 'dataset');
      });
      const name = input.name.trim();
      if (name.length < 1 || name.length > 200) throw new UserFacingError('INVALID_INPUT', 'name must be 1 to 200 characters', 'name');
      if (upload.status === 'completed' && upload.result_id) {
        const row = await context.tenant((trx) => trx.selectFrom('datasets').selectAll().where('id', '=', upload.result_id!).executeTakeFirstOrThrow());
        return { dataset: Dataset.from(row) };
      }
      let info;
      try {
        info = await context.services.inspectDataset(
          uploadedFile(context, upload),
          { labelColumn: input.labelColumn ?? undefined, validationFraction: input.validationFraction ?? undefined, testFraction: input.testFraction ?? undefined },
        );
      } catch (error) {
        return reject(context, upload.id, 'INVALID_DATASET', oneLine(error));
      }
      return context.tenant(async (trx) => {
        const done = await lockUpload(trx, upload.id);
        if (done) return { dataset: Dataset.from(await trx.selectFrom('datasets').selectAll().where('id', '=', done).executeTakeFirstOrThrow()) };
        const project = await requireProject(trx, input.projectId);
        const row = await trx.insertInto('datasets').values({
          org_id: auth.orgId, project_id: project.id, name, filename: upload.filename, format: info.format, kind: info.kind,
          blob_sha256: upload.declared_sha256, bytes: Number(upload.bytes ?? upload.declared_bytes), sample_count: info.sampleCount,
          num_classes: info.numClasses, labels: JSON.stringify(info.labels), splits: JSON.stringify(info.splits),
          input_shape: JSON.stringify(info.inputShape), created_by: auth.userId, upload_id: upload.id,
        }).returningAll().executeTakeFirstOrThrow();
        await trx.updateTable('uploads').set({ status: 'completed', result_id: row.id, completed_at: new Date() }).where('id', '=', upload.id).execute();
        return { dataset: Dataset.from(row) };
      });
    });
  }
}
