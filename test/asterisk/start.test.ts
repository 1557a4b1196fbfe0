/**
 * The shipped dialplan/ on a real Asterisk 22, configured by the container's entrypoint: it starts
 * clean, loads every module modules.conf names (ARI above all), and the IVR answers a call.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { worryingLines, type LocalAsterisk } from '../../src/asterisk/local.ts';
import { MODULE_REQUIRES } from '../../src/dialplan/module-deps.ts';
import { asteriskMissing, PROJECT_ROOT, startAsterisk, startAsteriskHarness, tierTitle, type AsteriskHarness } from './harness.ts';

describe.skipIf(asteriskMissing)(tierTitle('real Asterisk: the shipped dialplan'), () => {
  let ast: LocalAsterisk;
  let h: AsteriskHarness;
  beforeAll(async () => {
    ast = await startAsterisk();
    h = await startAsteriskHarness({ asterisk: ast });
  }, 60_000);
  afterAll(async () => {
    await h?.close();
    await ast?.stop();
  });

  it('starts with no warning or error in its log', () => {
    expect(worryingLines(ast.consoleLog())).toEqual([]);
  });

  it('loads every module modules.conf names, and the dependency table matches what loads', () => {
    const wanted = readFileSync(join(PROJECT_ROOT, 'dialplan/modules.conf'), 'utf8').split('\n').flatMap((l) => /^load\s*=\s*(\S+)/.exec(l)?.[1] ?? []);
    expect(wanted.length).toBeGreaterThan(50);
    const shown = ast.rx('module show');
    const running = new Set([...shown.matchAll(/^(\S+\.so)\s.*\bRunning\b/gm)].map((m) => m[1]));
    expect(wanted.filter((m) => !running.has(m))).toEqual([]);
    // what the table says each module requires is loaded too (else Asterisk would have refused it)
    for (const m of wanted) for (const r of MODULE_REQUIRES[m] ?? []) expect(running.has(r), `${m} requires ${r}`).toBe(true);
    expect(running.has('res_ari.so') && running.has('res_websocket_client.so') && running.has('func_timeout.so')).toBe(true);
  });

  it('serves ARI 22 to the service and the IVR application is registered', async () => {
    const r = await fetch(`${ast.ariUrl}/ari/asterisk/info`, { headers: { authorization: 'Basic ' + Buffer.from(`${ast.ariUsername}:${ast.ariPassword}`).toString('base64') } });
    const info = (await r.json()) as { system: { version: string } };
    expect(info.system.version).toMatch(/^22\./);
    expect(ast.rx('ari show apps')).toMatch(/ivr-1699/);
  });

  it('answers a call: welcome, main menu, 0 → the general queue with the IVR_* variables', async () => {
    const rep = await h.call('0');
    expect(rep.prompts.slice(0, 2)).toEqual(['welcome', 'main-menu']);
    expect(rep.outcome).toMatchObject({ kind: 'transfer', skill: 'general' });
    expect(rep.variables.IVR_SKILL).toBe('general');
    expect(rep.nodes).toEqual(['main-menu']);
  }, 90_000);
});
