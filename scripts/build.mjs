#!/usr/bin/env node
// Compiles src/ to dist/ (tsc -p tsconfig.build.json) and stamps it. Production runs dist/:
// `npm install` builds it (the `prepare` script), `npm start` rebuilds it first when src/ is newer
// (`--if-stale`), the Docker image builds it in its build stage.
//   node scripts/build.mjs              build now
//   node scripts/build.mjs --if-stale   build only when dist/ is missing or older than src/
//   node scripts/build.mjs --if-possible  as --if-stale, and skip quietly when TypeScript is not
//                                       installed (a production install: `npm ci --omit=dev`)
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { rmSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { distIsFresh, STAMP } from '../bin/runtime.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const ifStale = args.includes('--if-stale') || args.includes('--if-possible');

if (ifStale && distIsFresh()) process.exit(0);
let tsc;
try {
  tsc = createRequire(resolve(root, 'package.json')).resolve('typescript/bin/tsc');
} catch {
  if (args.includes('--if-possible')) {
    console.error('build: TypeScript is not installed (production install); using dist/ as it is');
    process.exit(0);
  }
  console.error('build: TypeScript is not installed: run `npm install` first');
  process.exit(1);
}
const t0 = Date.now();
rmSync(resolve(root, 'dist'), { recursive: true, force: true });
const r = spawnSync(process.execPath, [tsc, '-p', resolve(root, 'tsconfig.build.json')], { stdio: 'inherit', cwd: root });
if (r.status !== 0) {
  console.error('build: tsc failed');
  process.exit(r.status ?? 1);
}
writeFileSync(STAMP, `${new Date().toISOString()}\n`);
console.error(`build: src/ compiled to dist/ in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
