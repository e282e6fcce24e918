// Shared GraphQL building blocks: the Node interface, Relay connections, userErrors, enums.
import 'reflect-metadata';
import { DateTimeResolver, JSONResolver } from 'graphql-scalars';
import { ArgsType, Field, ID, Int, InterfaceType, ObjectType, registerEnumType, type ClassType } from 'type-graphql';
import { USER_ERROR_CODES, type UserErrorCode } from '../errors.ts';

export const DateTime = DateTimeResolver;
export const JSONScalar = JSONResolver;

@InterfaceType('Node', { description: 'An object with a global, opaque id that can be re-fetched with `node(id)`.' })
export abstract class Node {
  @Field(() => ID, { description: 'Global opaque id.' })
  id!: string;
}

@ObjectType({ description: 'Relay page information.' })
export class PageInfo {
  @Field(() => Boolean, { description: 'True when more items follow the last edge.' })
  hasNextPage!: boolean;

  @Field(() => Boolean, { description: 'True when items precede the first edge.' })
  hasPreviousPage!: boolean;

  @Field(() => String, { nullable: true, description: 'Cursor of the first edge.' })
  startCursor!: string | null;

  @Field(() => String, { nullable: true, description: 'Cursor of the last edge; pass it as `after` for the next page.' })
  endCursor!: string | null;
}

@ArgsType()
export class PageArgs {
  @Field(() => Int, { nullable: true, description: 'Page size (default 20, at most 100).' })
  first?: number | null;

  @Field(() => String, { nullable: true, description: 'Return items after this cursor.' })
  after?: string | null;
}

export interface ConnectionShape<T> {
  edges: { cursor: string; node: T }[];
  pageInfo: PageInfo;
  totalCount: number;
}

/** Declares `<Name>Edge` and `<Name>Connection` object types for a node type. */
export function connectionOf<T extends object>(node: ClassType<T>, name: string): ClassType<ConnectionShape<T>> {
  @ObjectType(`${name}Edge`, { description: `An edge of a ${name} connection.` })
  class Edge {
    @Field(() => String, { description: 'Opaque cursor of this edge.' })
    cursor!: string;

    @Field(() => node, { description: 'The item at this edge.' })
    node!: T;
  }

  @ObjectType(`${name}Connection`, { description: `A page of ${name} items (Relay cursor connection).` })
  class Connection {
    @Field(() => [Edge], { description: 'The items of this page with their cursors.' })
    edges!: Edge[];

    @Field(() => PageInfo, { description: 'Whether more pages exist and the boundary cursors.' })
    pageInfo!: PageInfo;

    @Field(() => Int, { description: 'Number of items across all pages.' })
    totalCount!: number;
  }
  return Connection;
}

registerEnumType(
  Object.fromEntries(USER_ERROR_CODES.map((c) => [c, c])) as Record<UserErrorCode, UserErrorCode>,
  { name: 'UserErrorCode', description: 'Machine-readable kind of an expected failure.' },
);

@ObjectType({ description: 'An expected failure of a mutation (bad input, not found, conflict).' })
export class UserError {
  @Field(() => String, { description: 'Machine-readable code (see UserErrorCode).' })
  code!: UserErrorCode;

  @Field(() => [String], { nullable: true, description: 'Path of the input field at fault, e.g. ["input", "name"].' })
  field!: string[] | null;

  @Field(() => String, { description: 'One-line explanation for a person.' })
  message!: string;
}

export enum Role {
  OWNER = 'owner',
  ADMIN = 'admin',
  MEMBER = 'member',
  VIEWER = 'viewer',
}
registerEnumType(Role, {
  name: 'Role',
  description: 'Role of a member in an organization. Viewers read; members also change projects, models, datasets, runs and deployments; admins and owners also manage keys and members.',
  valuesConfig: {
    OWNER: { description: 'Everything, including owner changes.' },
    ADMIN: { description: 'Everything except making or removing owners.' },
    MEMBER: { description: 'Read and change project resources; cannot manage keys or members.' },
    VIEWER: { description: 'Read only.' },
  },
});

export enum RunStatusEnum {
  QUEUED = 'queued',
  RUNNING = 'running',
  SUCCEEDED = 'succeeded',
  FAILED = 'failed',
  CANCELLED = 'cancelled',
}
registerEnumType(RunStatusEnum, {
  name: 'RunStatus',
  description: 'Lifecycle state of a compression run.',
  valuesConfig: {
    QUEUED: { description: 'Recorded, waiting for an executor.' },
    RUNNING: { description: 'Being executed.' },
    SUCCEEDED: { description: 'Finished; candidates are available.' },
    FAILED: { description: 'Stopped by an error (see message).' },
    CANCELLED: { description: 'Stopped on request.' },
  },
});

export enum UploadPurposeEnum {
  MODEL = 'model',
  DATASET = 'dataset',
}
registerEnumType(UploadPurposeEnum, {
  name: 'UploadPurpose',
  description: 'What an upload will become.',
  valuesConfig: { MODEL: { description: 'A model version.' }, DATASET: { description: 'A dataset.' } },
});

export enum UploadStatusEnum {
  PENDING = 'pending',
  RECEIVED = 'received',
  COMPLETED = 'completed',
  REJECTED = 'rejected',
}
registerEnumType(UploadStatusEnum, {
  name: 'UploadStatus',
  description: 'Progress of an upload.',
  valuesConfig: {
    PENDING: { description: 'Waiting for the bytes (PUT to the upload URL).' },
    RECEIVED: { description: 'Bytes stored and verified; call the complete mutation.' },
    COMPLETED: { description: 'Registered as a model version or dataset.' },
    REJECTED: { description: 'The bytes are not a valid model/dataset (see error).' },
  },
});

export enum CandidateStatusEnum {
  SUCCEEDED = 'succeeded',
  FAILED = 'failed',
}
registerEnumType(CandidateStatusEnum, {
  name: 'CandidateStatus',
  description: 'Whether a candidate was produced.',
  valuesConfig: { SUCCEEDED: { description: 'Compressed, exported and measured.' }, FAILED: { description: 'A step failed (see failure).' } },
});
