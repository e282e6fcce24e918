// Typed configuration read once from the environment. A bad value stops start-up with one
// line naming the variable (ConfigError), never a stack trace or a silent default.
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { makePrivateDir } from './files/private.ts';

export const BACKENDS = ['auto', 'wasm', 'cpu', 'tensorflow', 'webgpu'] as const;
export type BackendName = (typeof BACKENDS)[number];

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export const NODE_ENVS = ['development', 'production', 'test'] as const;
export type NodeEnv = (typeof NODE_ENVS)[number];

export interface Config {
  /** postgres:// URL; undefined means embedded PGlite in `<dataDir>/pgdata`. */
  databaseUrl: string | undefined;
  /** Connections in the pool to a PostgreSQL server (CONDENSE_DB_POOL_SIZE, default 10, per API process; see docs/api.md). */
  dbPoolSize: number;
  /** API processes `condense serve` runs on one port (CONDENSE_API_PROCESSES, default 1; >1 needs PostgreSQL; docs/api.md). */
  apiProcesses: number;
  /** Absolute path of the data directory (blobs, PGlite data, signing secret). */
  dataDir: string;
  /** host:port of a Temporal frontend; undefined means the embedded runner. */
  temporalAddress: string | undefined;
  port: number;
  host: string;
  nodeEnv: NodeEnv;
  /** Extra plugins: npm package names or paths. */
  plugins: string[];
  maxUploadBytes: number;
  /** HMAC secret for signed URLs; generated and persisted per data dir when unset. */
  signingSecret: string;
  backend: BackendName;
  logLevel: LogLevel;
  /** Server operator token for createOrganization; undefined disables that mutation. */
  adminToken?: string;
  /** Activities one process runs at once — plan steps train in parallel, each plugin call in its
   * own sandboxed process (CONDENSE_WORKERS, default: the machine's cores). */
  workers: number;
}

/** One-line, user-facing configuration error naming the offending variable. */
export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    detail: string,
  ) {
    super(`${variable}: ${detail}`);
    this.name = 'ConfigError';
  }
}

/** Default CONDENSE_DB_POOL_SIZE: connections to a PostgreSQL server (docs/api.md, "Pool size"). */
export const DEFAULT_DB_POOL_SIZE = 10;
export const DEFAULT_MAX_UPLOAD_BYTES = 512 * 1024 * 1024;
const SIGNING_SECRET_FILE = 'signing-secret';

/** Empty strings count as unset, so `FOO= cmd` behaves like no FOO at all. */
const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));

const integerIn = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, `must be a whole number between ${min} and ${max}`)
    .transform(Number)
    .pipe(z.number().int().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`));

// One schema per variable so each failure names exactly one variable.
const variables = {
  DATABASE_URL: optionalString.pipe(
    z
      .string()
      .regex(/^postgres(ql)?:\/\/\S+$/, 'must be a postgres:// or postgresql:// URL')
      .optional(),
  ),
  CONDENSE_DB_POOL_SIZE: optionalString.transform((v) => v ?? String(DEFAULT_DB_POOL_SIZE)).pipe(integerIn(1, 1000)),
  CONDENSE_API_PROCESSES: optionalString.transform((v) => v ?? '1').pipe(integerIn(1, 64)),
  CONDENSE_DATA_DIR: optionalString.transform((v) => resolve(v ?? './.condense')),
  TEMPORAL_ADDRESS: optionalString.pipe(
    z
      .string()
      .regex(/^[\w.-]+:\d{1,5}$/, 'must be host:port, e.g. localhost:7233')
      .optional(),
  ),
  PORT: optionalString.transform((v) => v ?? '4000').pipe(integerIn(0, 65535)),
  HOST: optionalString.transform((v) => v ?? '127.0.0.1'),
  NODE_ENV: optionalString.transform((v) => v ?? 'development').pipe(z.enum(NODE_ENVS)),
  CONDENSE_PLUGINS: optionalString.transform((v) =>
    (v ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== ''),
  ),
  CONDENSE_MAX_UPLOAD_BYTES: optionalString
    .transform((v) => v ?? String(DEFAULT_MAX_UPLOAD_BYTES))
    // Sizes are GraphQL Ints (32-bit): a larger upload could not be described or created.
    .pipe(integerIn(1, 2_147_483_647)),
  CONDENSE_SIGNING_SECRET: optionalString.pipe(z.string().min(32, 'must be at least 32 characters').optional()),
  CONDENSE_BACKEND: optionalString.transform((v) => v ?? 'auto').pipe(z.enum(BACKENDS)),
  LOG_LEVEL: optionalString.transform((v) => v ?? 'info').pipe(z.enum(LOG_LEVELS)),
  CONDENSE_ADMIN_TOKEN: optionalString.pipe(z.string().min(32, 'must be at least 32 characters').optional()),
  CONDENSE_WORKERS: optionalString.transform((v) => v ?? String(availableParallelism())).pipe(integerIn(1, 256)),
} as const;

type Parsed = { [K in keyof typeof variables]: z.output<(typeof variables)[K]> };

function parseVariable<K extends keyof typeof variables>(name: K, env: NodeJS.ProcessEnv): Parsed[K] {
  const raw = env[name];
  const result = variables[name].safeParse(raw);
  if (!result.success) {
    const issue = result.error.issues[0];
    const message =
      issue?.code === 'invalid_value' && 'values' in issue
        ? `must be one of ${(issue.values as unknown[]).join(', ')}`
        : (issue?.message ?? 'invalid value');
    // Never echo a secret back into logs.
    const got = name.includes('SECRET') || name.includes('TOKEN') ? '' : ` (got ${JSON.stringify(raw)})`;
    throw new ConfigError(name, `${message}${got}`);
  }
  return result.data as Parsed[K];
}

/**
 * Reads the signing secret persisted in the data dir, creating it on first use. `wx` makes two
 * processes starting at once agree on one secret instead of overwriting each other's.
 */
function persistedSigningSecret(dataDir: string): string {
  const file = join(dataDir, SIGNING_SECRET_FILE);
  try {
    makePrivateDir(dataDir);
    try {
      writeFileSync(file, randomBytes(32).toString('hex'), { flag: 'wx', mode: 0o600 });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const secret = readFileSync(file, 'utf8').trim();
    if (secret.length < 32) throw new Error(`${file} holds a secret shorter than 32 characters`);
    return secret;
  } catch (error) {
    throw new ConfigError(
      'CONDENSE_DATA_DIR',
      `cannot keep the signing secret in ${dataDir}: ${(error as Error).message}`,
    );
  }
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const dataDir = parseVariable('CONDENSE_DATA_DIR', env);
  const adminToken = parseVariable('CONDENSE_ADMIN_TOKEN', env);
  return {
    databaseUrl: parseVariable('DATABASE_URL', env),
    dbPoolSize: parseVariable('CONDENSE_DB_POOL_SIZE', env),
    apiProcesses: parseVariable('CONDENSE_API_PROCESSES', env),
    dataDir,
    temporalAddress: parseVariable('TEMPORAL_ADDRESS', env),
    port: parseVariable('PORT', env),
    host: parseVariable('HOST', env),
    nodeEnv: parseVariable('NODE_ENV', env),
    plugins: parseVariable('CONDENSE_PLUGINS', env),
    maxUploadBytes: parseVariable('CONDENSE_MAX_UPLOAD_BYTES', env),
    signingSecret: parseVariable('CONDENSE_SIGNING_SECRET', env) ?? persistedSigningSecret(dataDir),
    backend: parseVariable('CONDENSE_BACKEND', env),
    logLevel: parseVariable('LOG_LEVEL', env),
    workers: parseVariable('CONDENSE_WORKERS', env),
    // Present only when set, so a config without it compares equal to one from before it existed.
    ...(adminToken ? { adminToken } : {}),
  };
}
