#!/usr/bin/env node
// Builds the web console's browser code (src/console/web) into build/console with esbuild:
// app.js (preact + htm + the pages, one ES module), app.css and the Vazirmatn font, all from npm
// packages, so the console needs no outside network. Run by `npm run build:console` (and so by
// `npm install`/`npm ci` through `prepare`, and by `npm run build`).
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'build', 'console');
// `prepare` (npm install / npm ci) builds when it can and says why when it cannot: an install without
// the development dependencies (npm ci --omit=dev) or without the browser sources (a Docker dependency
// stage) is not an error there; `npm run build:console` is strict.
const lenient = process.env.npm_lifecycle_event === 'prepare';
const skip = (why) => {
  console.error(`build:console: ${why}; the console assets were not built${lenient ? ' (skipped)' : ''}`);
  process.exit(lenient ? 0 : 1);
};
if (!existsSync(join(root, 'src', 'console', 'web', 'main.js'))) skip('src/console/web is not here');
for (const pkg of ['esbuild', 'preact', 'htm', 'chart.js', 'vazirmatn']) {
  if (!existsSync(join(root, 'node_modules', pkg, 'package.json'))) skip(`the package ${pkg} is not installed (development dependencies omitted?)`);
}
const esbuild = await import('esbuild');
const t0 = Date.now();
mkdirSync(out, { recursive: true });
const fontDir = join(root, 'node_modules', 'vazirmatn', 'fonts', 'webfonts');
for (const f of ['Vazirmatn-Regular.woff2', 'Vazirmatn-Bold.woff2']) copyFileSync(join(fontDir, f), join(out, f));
const common = { bundle: true, minify: true, logLevel: 'warning', absWorkingDir: root, legalComments: 'none' };
await esbuild.build({ ...common, entryPoints: ['src/console/web/main.js'], outfile: join(out, 'app.js'), format: 'esm', target: ['chrome100', 'firefox100', 'safari15'] });
await esbuild.build({ ...common, entryPoints: ['src/console/web/style.css'], outfile: join(out, 'app.css'), external: ['*.woff2'] });
console.error(`build:console: build/console written in ${Date.now() - t0} ms`);
