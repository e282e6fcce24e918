// Debian packages the training benchmark needs: PyTorch CPU as the speed peer and the
// Fashion-MNIST IDX files. Installs them when run as root, else says exactly what to install.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

export const PYTHON = '/usr/bin/python3';
export const DEBIAN_PACKAGES = ['python3-torch', 'dataset-fashion-mnist'];

export interface FashionMnistFiles { trainImages: string; trainLabels: string; testImages: string; testLabels: string }

function torchInstalled(): boolean {
  return existsSync(PYTHON) && spawnSync(PYTHON, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0;
}

function fashionMnistFiles(): FashionMnistFiles | null {
  let listed: string[] = [];
  try {
    listed = execFileSync('dpkg', ['-L', 'dataset-fashion-mnist'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).split('\n');
  } catch {
    return null;
  }
  const find = (name: string) => listed.find((f) => path.basename(f).startsWith(name) && existsSync(f));
  const files = {
    trainImages: find('train-images-idx3-ubyte'), trainLabels: find('train-labels-idx1-ubyte'),
    testImages: find('t10k-images-idx3-ubyte'), testLabels: find('t10k-labels-idx1-ubyte'),
  };
  return Object.values(files).every(Boolean) ? files as FashionMnistFiles : null;
}

/** Returns the IDX file paths, installing missing packages first when we are root. */
export function ensureSystemDeps(log: (line: string) => void): FashionMnistFiles {
  let files = fashionMnistFiles();
  if (torchInstalled() && files) return files;
  const missing = [...(torchInstalled() ? [] : ['python3-torch']), ...(files ? [] : ['dataset-fashion-mnist'])];
  if (process.getuid?.() !== 0) {
    throw new Error(`missing Debian packages; install them with: sudo apt-get update && sudo apt-get install -y ${missing.join(' ')}`);
  }
  log(`installing ${missing.join(' ')} with apt-get (one-time)…`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  execFileSync('apt-get', ['install', '-y', '-qq', ...missing], { stdio: 'inherit', env });
  files = fashionMnistFiles();
  if (!torchInstalled() || !files) throw new Error(`apt-get finished but ${missing.join(' ')} is still not usable`);
  return files;
}
