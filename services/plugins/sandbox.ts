// The OS side of the plugin sandbox: how a plugin process is started. Every plugin process gets
//  - an empty environment (no admin token, signing secret, DATABASE_URL — nothing),
//  - Node's permission model: reads of node_modules (engine + bundles) and the installed plugins'
//    own packages only, writes to its own scratch directory only, no child processes, no worker
//    threads, no native addons, no inspector,
//  - an empty network namespace (no interface but a down loopback, so every connect fails):
//    as root `unshare --net`; otherwise, where the kernel allows unprivileged user namespaces,
//    `unshare --user --net` (a user namespace of its own, in which the process has no
//    capabilities, holding the network namespace),
//  - when the host runs as root: the unprivileged user nobody (`setpriv`, no new privileges, no
//    supplementary groups: it cannot signal the server or read its 0700 data dir even through a
//    permission-model bug),
//  - resource limits (`prlimit`): CPU seconds, largest file, no core dumps,
//  - a V8 heap cap (--max-old-space-size); the host samples its resident memory and kills it
//    past the memory limit (services/plugins/run-worker.ts).
// Where a mechanism is unavailable (not root, user namespaces disabled, no util-linux) the process
// still starts, with the permission model and limits; `sandboxCapabilities()` says what holds
// (`describeSandbox()` in one line, logged at start), and docs/security.md says what that leaves open.
import { spawnSync } from 'node:child_process';
import { chownSync, existsSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { NODE_MODULES } from '../isolation/bundle.ts';

export const NOBODY = 65534;
const UNSHARE = '/usr/bin/unshare';
const SETPRIV = '/usr/bin/setpriv';
const PRLIMIT = '/usr/bin/prlimit';

export interface SandboxCapabilities {
  /** How the process is isolated beyond Node's permission model: as root (network namespace and
   * the user nobody), in an unprivileged user namespace (network namespace only), or neither. */
  mode: 'root' | 'user-namespace' | 'permission-only';
  /** Plugin processes have no network (own empty network namespace). */
  network: boolean;
  /** Plugin processes run as nobody (65534), not as the server's user. */
  unprivilegedUser: boolean;
  /** CPU-time, file-size and core-dump limits are set. */
  resourceLimits: boolean;
}

let probed: SandboxCapabilities | undefined;

function works(command: string, args: string[]): boolean {
  try {
    return spawnSync(command, args, { stdio: 'ignore', env: {}, timeout: 5000 }).status === 0;
  } catch {
    return false;
  }
}

/** What this host can enforce (probed once per process). CONDENSE_SANDBOX=permission-only turns
 * the OS mechanisms off, for hosts where they misbehave; CONDENSE_SANDBOX=user-namespace uses the
 * unprivileged path even as root (what a non-root server gets). */
export function sandboxCapabilities(): SandboxCapabilities {
  if (probed) return probed;
  const setting = process.env.CONDENSE_SANDBOX;
  const off = setting === 'permission-only';
  const root = process.getuid?.() === 0 && setting !== 'user-namespace';
  const resourceLimits = !off && existsSync(PRLIMIT) && works(PRLIMIT, ['--core=0', '--', '/bin/true']);
  if (!off && root) {
    const network = existsSync(UNSHARE) && works(UNSHARE, ['--net', '--', '/bin/true']);
    const unprivilegedUser = existsSync(SETPRIV) && works(SETPRIV, [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', '--no-new-privs', '--', '/bin/true']);
    probed = { mode: network || unprivilegedUser ? 'root' : 'permission-only', network, unprivilegedUser, resourceLimits };
  } else {
    const userns = !off && existsSync(UNSHARE) && works(UNSHARE, ['--user', '--net', '--', '/bin/true']);
    probed = { mode: userns ? 'user-namespace' : 'permission-only', network: userns, unprivilegedUser: false, resourceLimits };
  }
  return probed;
}

/** One line for the start-up log and `condense plugins list`: what isolates plugin processes here. */
export function describeSandbox(caps: SandboxCapabilities = sandboxCapabilities()): string {
  const parts = [
    'empty environment, Node permission model (files), heap and memory limits',
    caps.network ? 'no network (own network namespace)' : 'NETWORK NOT ISOLATED',
    caps.unprivilegedUser ? `user nobody (${NOBODY})` : 'same user as the server (it can signal the server\'s processes)',
    caps.resourceLimits ? 'CPU-time and file-size limits' : 'no CPU-time or file-size limits (prlimit unavailable)',
  ];
  const why = caps.mode === 'root' ? 'running as root' : caps.mode === 'user-namespace' ? 'unprivileged user namespace' : 'no root and no unprivileged user namespaces (or CONDENSE_SANDBOX=permission-only)';
  return `plugin sandbox: ${caps.mode} (${why}): ${parts.join('; ')} — see docs/security.md`;
}

export interface SandboxSpec {
  /** The bundled entry module to run. */
  entry: string;
  args: string[];
  /** Directories or files the process may read besides node_modules. */
  readPaths: string[];
  /** The one directory it may write (and read). */
  scratchDir: string;
  heapLimitMb: number;
  cpuSeconds: number;
  maxFileBytes: number;
}

/** The command line that starts a sandboxed plugin process. */
export function sandboxCommand(spec: SandboxSpec): { command: string; args: string[] } {
  const caps = sandboxCapabilities();
  const node = [
    process.execPath,
    `--max-old-space-size=${spec.heapLimitMb}`,
    '--experimental-permission',
    // One flag per path: Node 20.20 does not split a comma-separated list.
    ...[`${NODE_MODULES}/`, ...spec.readPaths, `${spec.scratchDir}/`].map((p) => `--allow-fs-read=${p}`),
    `--allow-fs-write=${spec.scratchDir}/`,
    '--no-warnings',
    spec.entry,
    ...spec.args,
  ];
  let argv = node;
  if (caps.unprivilegedUser) argv = [SETPRIV, `--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', '--no-new-privs', '--', ...argv];
  if (caps.resourceLimits) argv = [PRLIMIT, `--cpu=${Math.max(1, Math.ceil(spec.cpuSeconds))}`, `--fsize=${spec.maxFileBytes}`, '--core=0', '--', ...argv];
  if (caps.network) argv = caps.mode === 'user-namespace' ? [UNSHARE, '--user', '--net', '--', ...argv] : [UNSHARE, '--net', '--', ...argv];
  return { command: argv[0]!, args: argv.slice(1) };
}

/** Per-process scratch directories are `<tmpdir>/condense-plugin-<pid>-<label>-XXXXXX`. */
export const SCRATCH_PREFIX = 'condense-plugin-';

/** A fresh scratch directory (0700) owned by the user the plugin process runs as. */
export async function createScratchDir(label: string): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), `${SCRATCH_PREFIX}${process.pid}-${label.replace(/[^a-z0-9-]/gi, '_')}-`));
  if (sandboxCapabilities().unprivilegedUser) chownSync(dir, NOBODY, NOBODY);
  return dir;
}
