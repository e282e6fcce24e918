// The console's typed operations (services/console/src/gql/) are generated from the committed SDL
// by GraphQL Code Generator; this fails when a schema or operation change was not regenerated
// (fix: `npm run codegen:console`), like the SDL snapshot check in tests/api/limits.test.ts.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { generate } from '@graphql-codegen/cli';
import config from '../../services/console/codegen.ts';

describe('console codegen', () => {
  it('has the generated typed operations checked in and up to date', async () => {
    const outputs = (await generate({ ...config, silent: true }, false)) as { filename: string; content: string }[];
    assert.ok(outputs.length >= 3, 'expected the client preset files');
    for (const { filename, content } of outputs) {
      let committed = '';
      try {
        committed = readFileSync(filename, 'utf8');
      } catch {
        assert.fail(`${filename} is missing: run \`npm run codegen:console\``);
      }
      assert.ok(committed === content, `${filename} is out of date: run \`npm run codegen:console\``);
    }
  });
});
