#!/usr/bin/env -S npx tsx
/**
 * Re-records the built-in switch's conformance fixtures (test/switch/fixtures) from a live
 * Asterisk 22: every scenario is driven through ARI on loopback and what Asterisk answered and
 * sent is written in the project's fixture form (test/switch/record.ts).
 *
 *   npx tsx scripts/record-ari-fixtures.ts                 # a private Asterisk (ASTERISK_HOME, .asterisk/ or PATH)
 *   npx tsx scripts/record-ari-fixtures.ts --out DIR --traces DIR
 *   npx tsx scripts/record-ari-fixtures.ts --ari-url http://127.0.0.1:8088 --ari-user U --ari-password P
 *
 * Without --ari-url it starts an Asterisk with src/asterisk/local.ts (the project's configuration,
 * the recordings' dialplan in place of extensions.conf, stand-in core sounds) and stops it after.
 * An Asterisk of your own given with --ari-url must run that dialplan (RECORDED_DIALPLAN in
 * test/switch/record.ts) and have hello-world, demo-congrats, beep and digits/0-9 in English.
 * Then `npx vitest run test/switch/conformance.test.ts` checks the switch against what was written.
 */
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { findAsterisk, startLocalAsterisk, type LocalAsterisk } from '../src/asterisk/local.ts';
import { loadScenarios, RECORDED_DIALPLAN, recordScenarios, writeRecordings, writeStandInSounds } from '../test/switch/record.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const fixturesDir = join(root, 'test/switch/fixtures');

const usage = 'usage: npx tsx scripts/record-ari-fixtures.ts [--out DIR] [--traces DIR] [--ari-url URL --ari-user USER --ari-password PASSWORD]';
let values: Record<string, string | boolean | undefined>;
try {
  ({ values } = parseArgs({
    options: {
      out: { type: 'string' },
      traces: { type: 'string' },
      'ari-url': { type: 'string' },
      'ari-user': { type: 'string' },
      'ari-password': { type: 'string' },
      help: { type: 'boolean' },
    },
  }));
} catch (e) {
  console.error(`${(e as Error).message}\n${usage}`);
  process.exit(2);
}
if (values.help) {
  console.log(usage);
  process.exit(0);
}
const out = resolve(String(values.out ?? fixturesDir));
const traces = values.traces ? resolve(String(values.traces)) : undefined;

let asterisk: LocalAsterisk | undefined;
try {
  let target: { url: string; username: string; password: string };
  let source: string;
  if (values['ari-url']) {
    if (!values['ari-user'] || !values['ari-password']) throw new Error(`--ari-url needs --ari-user and --ari-password\n${usage}`);
    target = { url: String(values['ari-url']), username: String(values['ari-user']), password: String(values['ari-password']) };
    source = `Recorded on the Asterisk at ${target.url}`;
  } else {
    const found = findAsterisk(process.env, root);
    if ('missing' in found) throw new Error(found.missing);
    asterisk = await startLocalAsterisk({ install: found, projectRoot: root, extensionsConf: RECORDED_DIALPLAN });
    writeStandInSounds(join(asterisk.scratch, 'data', 'sounds'));
    target = { url: asterisk.ariUrl, username: asterisk.ariUsername, password: asterisk.ariPassword };
    source = `Recorded by scripts/record-ari-fixtures.ts on a private Asterisk (${found.source})`;
  }
  const info = await fetch(`${target.url}/ari/asterisk/info`, { headers: { authorization: 'Basic ' + Buffer.from(`${target.username}:${target.password}`).toString('base64') } });
  if (info.status !== 200) throw new Error(`${target.url}/ari/asterisk/info answered HTTP ${info.status}: is it an Asterisk with ARI, and are the user and password right?`);
  const version = ((await info.json()) as { system?: { version?: string } }).system?.version ?? '?';
  const recordings = await recordScenarios(target, loadScenarios(fixturesDir), `${source}, Asterisk ${version}, ARI over loopback, Local channels`);
  writeRecordings(recordings, out, traces);
  for (const { fixture } of recordings) {
    console.log(`${fixture.scenario}: ${fixture.steps.length} steps, ${Object.entries(fixture.events).map(([a, e]) => `${a} ${e.length} events`).join(', ')}`);
  }
  console.log(`${recordings.length} scenarios recorded on Asterisk ${version} → ${out}${traces ? ` (traces in ${traces})` : ''}`);
} catch (e) {
  console.error(`record-ari-fixtures: ${(e as Error).message}`);
  process.exitCode = 1;
} finally {
  await asterisk?.stop();
}
