#!/usr/bin/env node
// Entry point of the `ivr-1699` command. The sources are TypeScript; tsx compiles them on load
// (cached), so `npx ivr-1699 …` works right after `npm install` without a build step.
import { register } from 'tsx/esm/api';
register();
const { main } = await import('../src/cli/main.ts');
const code = await main(process.argv.slice(2));
if (typeof code === 'number') process.exitCode = code;
