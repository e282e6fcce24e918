// The console's typed operations (services/console/src/gql/) are generated from the committed SDL
// by GraphQL Code Generator; this fails when a schema or operation change was not regenerated
// (fix: `npm run codegen:console`), like the SDL snapshot check in tests/api/limits.test.ts.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { generate } from '@graphql-codegen/cli';
import { formatDocument } from '@urql/core';
import { buildSchema, specifiedRules, validate } from 'graphql';
import config from '../../services/console/codegen.ts';
import { DEFAULT_LIMITS, limitRules, operationCost } from '../../services/api/limits/rules.ts';
import { SCHEMA_FILE } from '../../schema/print.ts';
import * as generated from '../../services/console/src/gql/graphql.ts';

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

  it("keeps every console operation within the API's default depth, alias and cost limits", () => {
    const schema = buildSchema(readFileSync(SCHEMA_FILE, 'utf8'));
    const documents = Object.entries(generated).filter(([name]) => name.endsWith('Document'));
    assert.ok(documents.length >= 20, `expected the console's operations, found ${documents.length}`);
    for (const [name, generatedDocument] of documents) {
      // As sent: urql adds __typename to every selection set, which counts towards the cost.
      const document = formatDocument(generatedDocument as any);
      const errors = validate(schema, document as any, [...specifiedRules, ...limitRules(DEFAULT_LIMITS, true)]);
      assert.deepEqual(errors.map((e) => e.message), [], name);
      // Queries and subscriptions select lists (mutations answer one object); worst case: admin parts included.
      if ((document as any).definitions[0].operation === 'mutation') continue;
      const variables = { admin: true, id: 'x', runId: 'x' };
      const cost = operationCost(schema, document as any, variables);
      assert.ok(cost <= DEFAULT_LIMITS.maxCost, `${name} costs ${cost}, over the limit of ${DEFAULT_LIMITS.maxCost}`);
    }
  });
});
