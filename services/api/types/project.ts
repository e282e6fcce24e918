// Project-level object types: projects, models and their versions, datasets, uploads, deployments.
import { Field, Int, ObjectType } from 'type-graphql';
import type { Selectable } from 'kysely';
import type { DatasetsTable, DeploymentsTable, ModelVersionsTable, ModelsTable, UploadsTable } from '../../db/types/index.ts';
import { toGlobalId } from '../ids.ts';
import { DateTime, Node, UploadPurposeEnum, UploadStatusEnum } from './common.ts';

@ObjectType({ description: 'A layer that stops the model from being exported (for every target or for one).' })
export class PreflightBlocker {
  @Field(() => String, { description: "Layer name ('(model)' when no single layer is to blame)." })
  layer!: string;

  @Field(() => String, { description: 'Layer class, or the TFLite op / tensor type at fault.' })
  className!: string;

  @Field(() => String, { description: 'Why, in one line.' })
  reason!: string;
}

@ObjectType({ description: 'Whether a run can produce a candidate for one hardware target from this model.' })
export class TargetPreflight {
  @Field(() => String, { description: 'Hardware target id.' })
  target!: string;

  @Field(() => Boolean, { description: "True when the model exports in the target's preferred quantization and every op and tensor type runs there." })
  exportable!: boolean;

  @Field(() => String, { description: 'Quantization the verdict is for.' })
  quantization!: string;

  @Field(() => [PreflightBlocker], { description: 'Layers that stop it (empty when exportable).' })
  blockers!: PreflightBlocker[];

  @Field(() => [String], { description: 'Size or memory budgets the uncompressed model misses: what compression must achieve.' })
  budgetNotes!: string[];

  @Field(() => Number, { nullable: true, description: 'Estimated latency of the uncompressed model on the target, ms.' })
  estimatedLatencyMs!: number | null;
}

@ObjectType({ description: 'Pre-flight made at upload: can the model be exported, per target, and what it costs.' })
export class ModelPreflight {
  @Field(() => Boolean, { description: 'True when the model exports to TFLite at all.' })
  exportable!: boolean;

  @Field(() => [PreflightBlocker], { description: 'Layers the exporter cannot write (empty when it exports).' })
  blockers!: PreflightBlocker[];

  @Field(() => Number, { description: 'Parameters (weights).' })
  parameterCount!: number;

  @Field(() => Number, { description: 'Multiply-accumulates per inference (batch 1).' })
  macs!: number;

  @Field(() => Number, { nullable: true, description: 'Peak activation memory of the float32 export at batch 1, bytes.' })
  peakActivationBytes!: number | null;

  @Field(() => [String], { description: 'Import notes: config options dropped or rewritten (e.g. a regularizer TF.js lacks).' })
  notes!: string[];

  @Field(() => [TargetPreflight], { description: 'One verdict per hardware target.' })
  targets!: TargetPreflight[];
}

@ObjectType({ implements: Node, description: 'A workspace for one model family: models, datasets, runs, deployments.' })
export class Project extends Node {
  uuid!: string;
  teamId!: string | null;

  @Field(() => String, { description: 'Project name, unique among active projects of the organization.' })
  name!: string;

  @Field(() => String, { description: 'Free-text description.' })
  description!: string;

  @Field(() => DateTime, { description: 'When the project was created.' })
  createdAt!: Date;

  @Field(() => DateTime, { nullable: true, description: 'When the project was archived (null while active).' })
  archivedAt!: Date | null;

  static from(row: { id: string; team_id: string | null; name: string; description: string; created_at: Date; archived_at: Date | null }): Project {
    return Object.assign(new Project(), {
      id: toGlobalId('Project', row.id), uuid: row.id, teamId: row.team_id, name: row.name, description: row.description,
      createdAt: row.created_at, archivedAt: row.archived_at,
    });
  }
}

@ObjectType({ implements: Node, description: 'A named model in a project; each upload adds a version.' })
export class Model extends Node {
  uuid!: string;
  projectId!: string;

  @Field(() => String, { description: 'Model name, unique in the project.' })
  name!: string;

  @Field(() => DateTime, { description: 'When the model was created.' })
  createdAt!: Date;

  static from(row: Selectable<ModelsTable>): Model {
    return Object.assign(new Model(), { id: toGlobalId('Model', row.id), uuid: row.id, projectId: row.project_id, name: row.name, createdAt: row.created_at });
  }
}

@ObjectType({ description: 'Name, shape and element type of a model input or output.' })
export class TensorSpec {
  @Field(() => String, { description: 'Tensor name.' })
  name!: string;

  @Field(() => [Int], { nullable: 'items', description: 'Shape; null entries are free dimensions (e.g. batch).' })
  shape!: (number | null)[];

  @Field(() => String, { description: 'Element type, e.g. float32.' })
  dtype!: string;
}

@ObjectType({ description: 'Inputs and outputs of a model.' })
export class ModelSignature {
  @Field(() => [TensorSpec], { description: 'Model inputs.' })
  inputs!: TensorSpec[];

  @Field(() => [TensorSpec], { description: 'Model outputs.' })
  outputs!: TensorSpec[];
}

@ObjectType({ implements: Node, description: 'One uploaded, validated version of a model.' })
export class ModelVersion extends Node {
  uuid!: string;
  modelId!: string;
  blobSha256!: string;

  @Field(() => Int, { description: 'Version number, 1 for the first upload.' })
  version!: number;

  @Field(() => String, { description: 'File name as uploaded.' })
  filename!: string;

  @Field(() => String, { description: 'Detected format: tfjs-layers, keras-h5, keras-zip, tfjs-graph or tflite.' })
  format!: string;

  @Field(() => Int, { description: 'File size in bytes.' })
  bytes!: number;

  @Field(() => String, { description: 'SHA-256 of the file (hex).' })
  sha256!: string;

  @Field(() => Int, { description: 'Number of parameters (weights).' })
  parameterCount!: number;

  @Field(() => ModelSignature, { description: 'Input and output tensors.' })
  signature!: ModelSignature;

  @Field(() => [String], { description: 'Distinct layer types, e.g. Conv2D, Dense.' })
  layerTypes!: string[];

  @Field(() => ModelPreflight, { nullable: true, description: 'Export pre-flight per hardware target, made at upload (null for TF.js graph models and versions uploaded before it existed).' })
  preflight!: ModelPreflight | null;

  @Field(() => DateTime, { description: 'When the version was registered.' })
  createdAt!: Date;

  static from(row: Selectable<ModelVersionsTable>): ModelVersion {
    return Object.assign(new ModelVersion(), {
      id: toGlobalId('ModelVersion', row.id), uuid: row.id, modelId: row.model_id, blobSha256: row.blob_sha256, version: row.version,
      filename: row.filename, format: row.format, bytes: Number(row.bytes), sha256: row.blob_sha256, parameterCount: Number(row.parameter_count),
      signature: row.signature, layerTypes: row.layer_types, createdAt: row.created_at,
      preflight: row.preflight ? { ...row.preflight, exportable: row.preflight.blockers.length === 0 } : null,
    });
  }
}

@ObjectType({ description: 'Number of samples in one split.' })
export class SplitCount {
  @Field(() => String, { description: 'train, validation or test.' })
  split!: string;

  @Field(() => Int, { description: 'Samples in the split.' })
  count!: number;
}

@ObjectType({ implements: Node, description: 'An uploaded, validated labelled dataset.' })
export class Dataset extends Node {
  uuid!: string;
  projectId!: string;
  blobSha256!: string;

  @Field(() => String, { description: 'Dataset name.' })
  name!: string;

  @Field(() => String, { description: 'File name as uploaded.' })
  filename!: string;

  @Field(() => String, { description: 'Detected format: idx, npy, npz, csv, jsonl or image-zip.' })
  format!: string;

  @Field(() => String, { description: 'tensor (numeric inputs) or text.' })
  kind!: string;

  @Field(() => Int, { description: 'File size in bytes.' })
  bytes!: number;

  @Field(() => String, { description: 'SHA-256 of the file (hex).' })
  sha256!: string;

  @Field(() => Int, { description: 'Number of samples.' })
  sampleCount!: number;

  @Field(() => [SplitCount], { description: 'Samples per split (train/validation/test).' })
  splits!: SplitCount[];

  @Field(() => [String], { description: 'Class names; index = label id.' })
  labels!: string[];

  @Field(() => [Int], { description: 'Per-sample input shape ([] for text).' })
  inputShape!: number[];

  @Field(() => DateTime, { description: 'When the dataset was registered.' })
  createdAt!: Date;

  static from(row: Selectable<DatasetsTable>): Dataset {
    return Object.assign(new Dataset(), {
      id: toGlobalId('Dataset', row.id), uuid: row.id, projectId: row.project_id, blobSha256: row.blob_sha256, name: row.name,
      filename: row.filename, format: row.format, kind: row.kind, bytes: Number(row.bytes), sha256: row.blob_sha256,
      sampleCount: row.sample_count, splits: Object.entries(row.splits).map(([split, count]) => ({ split, count })),
      labels: row.labels, inputShape: row.input_shape, createdAt: row.created_at,
    });
  }
}

@ObjectType({ implements: Node, description: 'A pending or finished upload of model or dataset bytes.' })
export class Upload extends Node {
  uuid!: string;

  @Field(() => UploadPurposeEnum, { description: 'What the upload will become.' })
  purpose!: UploadPurposeEnum;

  @Field(() => UploadStatusEnum, { description: 'Progress of the upload.' })
  status!: UploadStatusEnum;

  @Field(() => String, { description: 'File name given by the client.' })
  filename!: string;

  @Field(() => Int, { description: 'Declared size in bytes; the PUT must send exactly this many.' })
  declaredBytes!: number;

  @Field(() => String, { description: 'Declared SHA-256 (hex); the PUT bytes must hash to it.' })
  declaredSha256!: string;

  @Field(() => String, { nullable: true, description: 'Why the upload was rejected.' })
  error!: string | null;

  @Field(() => DateTime, { description: 'When the upload URL stops working.' })
  expiresAt!: Date;

  static from(row: Selectable<UploadsTable>): Upload {
    return Object.assign(new Upload(), {
      id: toGlobalId('Upload', row.id), uuid: row.id, purpose: row.purpose as UploadPurposeEnum, status: row.status as UploadStatusEnum,
      filename: row.filename, declaredBytes: Number(row.declared_bytes), declaredSha256: row.declared_sha256, error: row.error, expiresAt: row.expires_at,
    });
  }
}

@ObjectType({ implements: Node, description: 'A candidate published to a project channel (e.g. "production"); the newest per channel is live.' })
export class Deployment extends Node {
  uuid!: string;
  projectId!: string;
  candidateId!: string;
  rollbackOfId!: string | null;

  @Field(() => String, { description: 'Channel name, e.g. production or beta.' })
  channel!: string;

  @Field(() => DateTime, { description: 'When it was published.' })
  createdAt!: Date;

  static from(row: Selectable<DeploymentsTable>): Deployment {
    return Object.assign(new Deployment(), {
      id: toGlobalId('Deployment', row.id), uuid: row.id, projectId: row.project_id, candidateId: row.candidate_id, rollbackOfId: row.rollback_of,
      channel: row.channel, createdAt: row.created_at,
    });
  }
}

