// The README's "Use a Condense model in your app" block, run as written in a child process (as an
// app would: its own directory, the package resolved from node_modules) against a real server.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { startPublished, type Published } from './published.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));

function readmeExample(): string {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const match = /<!-- app-example:[^>]*-->\s*```js\n([\s\S]*?)```/.exec(readme);
  assert.ok(match, 'README.md has the app-example block');
  return match[1]!;
}

let p: Published;
let appDir: string;
before(async () => {
  p = await startPublished();
  appDir = mkdtempSync(join(tmpdir(), 'readme-app-'));
  mkdirSync(join(appDir, 'node_modules', '@condense'), { recursive: true });
  symlinkSync(join(root, 'services', 'model-client'), join(appDir, 'node_modules', '@condense', 'model-client'));
});
after(async () => {
  await p?.h.close();
  rmSync(appDir, { recursive: true, force: true });
});

it('the README example downloads the published model, then revalidates it from its cache', async () => {
  const code = readmeExample();
  assert.ok(code.trim().split('\n').length <= 10, 'at most 10 lines');
  const published = await p.addCandidate('readme');
  await p.publish(published.id);
  const run = () => promisify(execFile)(process.execPath, ['--import', import.meta.resolve('tsx'), '--input-type=module', '-e', code], {
    cwd: appDir, env: { ...process.env, CONDENSE_URL: p.h.server.url, CONDENSE_PROJECT: p.projectId, CONDENSE_APP_KEY: p.appKey },
  });
  const first = (await run()).stdout.trim();
  assert.equal(first, `${published.id}: ${published.bytes.length} bytes, sha256 ${published.sha256} (network)`);
  const second = (await run()).stdout.trim();
  assert.equal(second, `${published.id}: ${published.bytes.length} bytes, sha256 ${published.sha256} (not-modified)`);
});
