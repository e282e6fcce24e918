// A plugin's code as the sandbox runs it: its entry bundled with esbuild (its own modules, the
// SDK and its dependencies inlined; only @tensorflow/* stay imports, shared with the engine),
// written under node_modules/.cache/condense/ where a sandboxed process may read it. Bundling
// parses the plugin's code and never runs it. Sources outside the plugin's package (or its
// directory, for a single-file plugin), the SDK and node_modules are refused, so a plugin cannot
// inline files from the data dir into its own bundle.
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { bundledEntry } from '../isolation/bundle.ts';
import { REPO_ROOT } from './discovery.ts';

const SDK_DIR = path.join(REPO_ROOT, 'plugins', 'sdk');
/** Built-in plugins ship with the server and may use its engine (projection uses the text featurisers). */
const ENGINE_DIR = path.join(REPO_ROOT, 'services', 'engine');

/** file: URL of the bundle of the plugin module at `url`. Throws with esbuild's first error. */
export async function bundlePlugin(url: string, packageDir: string | undefined, origin: 'builtin' | 'env'): Promise<string> {
  const entry = fileURLToPath(url);
  const home = packageDir ?? path.dirname(entry);
  try {
    const file = await bundledEntry(entry, {
      external: (specifier) => specifier.startsWith('@tensorflow/'),
      confineTo: [home, SDK_DIR, ...(origin === 'builtin' ? [ENGINE_DIR] : [])],
      allowNodeModules: true,
    }, 'plugin');
    return pathToFileURL(file).href;
  } catch (err) {
    const first = (err as { errors?: Array<{ text: string; location?: { file: string; line: number } | null }> }).errors?.[0];
    const detail = first ? `${first.text}${first.location ? ` (${first.location.file}:${first.location.line})` : ''}` : (err as Error).message;
    throw new Error(`could not be bundled: ${detail.split('\n')[0]}`);
  }
}

