// Which code the `ivr-1699` command runs: the compiled JavaScript in dist/ (production; built by
// `npm install`, `npm start` and the Docker image) when it is at least as new as src/, else the
// TypeScript sources through tsx (a developer's edits, tests). IVR_RUNTIME=dist|tsx forces one.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const DIST_MAIN = join(root, 'dist', 'cli', 'main.js');
export const SRC_MAIN = join(root, 'src', 'cli', 'main.ts');
/** written by scripts/build.mjs after a successful build */
export const STAMP = join(root, 'dist', '.built');

function newestMtime(dir) {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    const t = e.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs;
    if (t > newest) newest = t;
  }
  return newest;
}

/** dist/ is built and no file under src/ changed since (true when there is no src/, as in the image). */
export function distIsFresh() {
  if (!existsSync(STAMP) || !existsSync(DIST_MAIN)) return false;
  const src = join(root, 'src');
  if (!existsSync(src)) return true;
  return newestMtime(src) <= statSync(STAMP).mtimeMs;
}

/** 'dist' or 'tsx' */
export function chooseRuntime(env = process.env) {
  if (env.IVR_RUNTIME === 'dist' || env.IVR_RUNTIME === 'tsx') return env.IVR_RUNTIME;
  return distIsFresh() ? 'dist' : 'tsx';
}
