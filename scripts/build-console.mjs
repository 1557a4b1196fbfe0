#!/usr/bin/env node
// Builds the web console's browser code (src/console/web) into build/console with esbuild:
// app.js (preact + htm + the pages, one ES module), app.css and the Vazirmatn font, all from npm
// packages, so the console needs no outside network. Run by `npm run build:console` (and so by
// `npm install`/`npm ci` through `prepare`, and by `npm run build`).
import { copyFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'build', 'console');
let esbuild;
try {
  esbuild = await import('esbuild');
} catch {
  // an install without devDependencies (npm ci --omit=dev) cannot build; it is not an error there
  console.error('build:console: esbuild is not installed (devDependencies omitted?); the console assets were not built');
  process.exit(process.env.npm_lifecycle_event === 'prepare' ? 0 : 1);
}
const t0 = Date.now();
mkdirSync(out, { recursive: true });
const require = createRequire(import.meta.url);
const fontDir = join(dirname(require.resolve('vazirmatn/package.json')), 'fonts', 'webfonts');
for (const f of ['Vazirmatn-Regular.woff2', 'Vazirmatn-Bold.woff2']) copyFileSync(join(fontDir, f), join(out, f));
const common = { bundle: true, minify: true, logLevel: 'warning', absWorkingDir: root, legalComments: 'none' };
await esbuild.build({ ...common, entryPoints: ['src/console/web/main.js'], outfile: join(out, 'app.js'), format: 'esm', target: ['chrome100', 'firefox100', 'safari15'] });
await esbuild.build({ ...common, entryPoints: ['src/console/web/style.css'], outfile: join(out, 'app.css'), external: ['*.woff2'] });
console.error(`build:console: build/console written in ${Date.now() - t0} ms`);
