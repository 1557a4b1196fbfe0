#!/usr/bin/env node
// Entry point of the `ivr-1699` command. Production runs the compiled JavaScript in dist/ (see
// runtime.mjs: `npm install` and `npm start` build it); when src/ is newer (a developer editing),
// tsx compiles the TypeScript sources on load instead, so `npx ivr-1699 …` always runs the code
// as it is now.
import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { chooseRuntime, DIST_MAIN, SRC_MAIN } from './runtime.mjs';

let entry = DIST_MAIN;
if (chooseRuntime() === 'tsx') {
  const tsx = await import('tsx/esm/api').catch(() => undefined);
  if (!tsx) {
    process.stderr.write('ivr-1699: dist/ is missing or older than src/ and tsx is not installed: run `npm run build` (or `npm install`)\n');
    process.exit(1);
  }
  tsx.register();
  entry = SRC_MAIN;
} else if (!existsSync(DIST_MAIN)) {
  process.stderr.write('ivr-1699: dist/ is not built: run `npm run build`\n');
  process.exit(1);
}
const { main } = await import(pathToFileURL(entry).href);
const code = await main(process.argv.slice(2));
if (typeof code === 'number') process.exitCode = code;
