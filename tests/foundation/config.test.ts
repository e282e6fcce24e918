// Configuration: defaults, parsing, one-line errors naming the variable, persisted secret.
import assert from 'node:assert/strict';
import { availableParallelism } from 'node:os';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ConfigError, DEFAULT_DB_POOL_SIZE, DEFAULT_MAX_UPLOAD_BYTES, loadConfig } from '../../services/config.ts';

let dataDir: string;
before(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'condense-config-'));
});
after(() => rm(dataDir, { recursive: true, force: true }));

test('defaults', () => {
  const config = loadConfig({ CONDENSE_DATA_DIR: dataDir });
  assert.deepEqual(
    { ...config, signingSecret: typeof config.signingSecret },
    {
      databaseUrl: undefined,
      dbPoolSize: DEFAULT_DB_POOL_SIZE,
      apiProcesses: 1,
      dataDir,
      temporalAddress: undefined,
      port: 4000,
      host: '127.0.0.1',
      nodeEnv: 'development',
      plugins: [],
      maxUploadBytes: DEFAULT_MAX_UPLOAD_BYTES,
      signingSecret: 'string',
      backend: 'auto',
      logLevel: 'info',
      workers: availableParallelism(),
    },
  );
  assert.equal(DEFAULT_MAX_UPLOAD_BYTES, 512 * 1024 * 1024);
});

test('explicit values are parsed', () => {
  const config = loadConfig({
    CONDENSE_DATA_DIR: dataDir,
    DATABASE_URL: 'postgres://u:p@db:5432/condense',
    TEMPORAL_ADDRESS: 'temporal:7233',
    PORT: '8080',
    HOST: '0.0.0.0',
    NODE_ENV: 'production',
    CONDENSE_PLUGINS: ' @acme/prune , ./plugins/local ,',
    CONDENSE_MAX_UPLOAD_BYTES: '1048576',
    CONDENSE_SIGNING_SECRET: 's'.repeat(40),
    CONDENSE_BACKEND: 'wasm',
    LOG_LEVEL: 'debug',
  });
  assert.equal(config.databaseUrl, 'postgres://u:p@db:5432/condense');
  assert.equal(config.temporalAddress, 'temporal:7233');
  assert.equal(config.port, 8080);
  assert.equal(config.host, '0.0.0.0');
  assert.equal(config.nodeEnv, 'production');
  assert.deepEqual(config.plugins, ['@acme/prune', './plugins/local']);
  assert.equal(config.maxUploadBytes, 1048576);
  assert.equal(config.signingSecret, 's'.repeat(40));
  assert.equal(config.backend, 'wasm');
  assert.equal(config.logLevel, 'debug');
});

test('empty values count as unset', () => {
  const config = loadConfig({ CONDENSE_DATA_DIR: dataDir, PORT: '', DATABASE_URL: ' ' });
  assert.equal(config.port, 4000);
  assert.equal(config.databaseUrl, undefined);
});

const bad: Array<[string, string, RegExp]> = [
  ['PORT', 'eighty', /^PORT: must be a whole number between 0 and 65535 \(got "eighty"\)$/],
  ['PORT', '65536', /^PORT: must be at most 65535/],
  ['DATABASE_URL', 'mysql://db/x', /^DATABASE_URL: must be a postgres:\/\/ or postgresql:\/\/ URL/],
  ['TEMPORAL_ADDRESS', 'http://temporal', /^TEMPORAL_ADDRESS: must be host:port/],
  ['NODE_ENV', 'staging', /^NODE_ENV: must be one of development, production, test/],
  ['CONDENSE_MAX_UPLOAD_BYTES', '-5', /^CONDENSE_MAX_UPLOAD_BYTES: must be a whole number/],
  ['CONDENSE_MAX_UPLOAD_BYTES', '0', /^CONDENSE_MAX_UPLOAD_BYTES: must be at least 1/],
  ['CONDENSE_BACKEND', 'cuda', /^CONDENSE_BACKEND: must be one of auto, wasm, cpu, tensorflow, webgpu \(got "cuda"\)$/],
  ['LOG_LEVEL', 'verbose', /^LOG_LEVEL: must be one of debug, info, warn, error, silent/],
  ['CONDENSE_SIGNING_SECRET', 'short', /^CONDENSE_SIGNING_SECRET: must be at least 32 characters$/],
];
for (const [variable, value, message] of bad) {
  test(`a bad ${variable} stops start-up with one line naming it`, () => {
    assert.throws(
      () => loadConfig({ CONDENSE_DATA_DIR: dataDir, [variable]: value }),
      (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        assert.equal(error.variable, variable);
        assert.match(error.message, message);
        assert.ok(!error.message.includes('\n'));
        return true;
      },
    );
  });
}

test('the signing secret is generated once per data dir and kept private', async () => {
  const first = loadConfig({ CONDENSE_DATA_DIR: dataDir }).signingSecret;
  const second = loadConfig({ CONDENSE_DATA_DIR: dataDir }).signingSecret;
  assert.equal(first, second);
  assert.ok(first.length >= 32);
  assert.equal((await readFile(join(dataDir, 'signing-secret'), 'utf8')).trim(), first);
  assert.equal((await stat(join(dataDir, 'signing-secret'))).mode & 0o077, 0);
  const other = await mkdtemp(join(tmpdir(), 'condense-config-'));
  try {
    assert.notEqual(loadConfig({ CONDENSE_DATA_DIR: other }).signingSecret, first);
  } finally {
    await rm(other, { recursive: true, force: true });
  }
});

test('an unusable data dir is a ConfigError naming CONDENSE_DATA_DIR', async () => {
  const file = join(dataDir, 'not-a-dir');
  await import('node:fs/promises').then((fs) => fs.writeFile(file, 'x'));
  assert.throws(() => loadConfig({ CONDENSE_DATA_DIR: file }), /^ConfigError: CONDENSE_DATA_DIR: cannot keep the signing secret/);
});
