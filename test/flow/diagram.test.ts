import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { DEFAULT_DIAGRAM_PATH, generateDiagram, run } from '../../src/cli/commands/diagram.ts';
import { createCallMachine } from '../../src/flow/call-machine.ts';
import { flowToMermaid } from '../../src/flow/diagram.ts';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('flow diagram', () => {
  test('docs/flow.mmd is up to date with the machine (run `ivr-1699 diagram` when this fails)', () => {
    expect(readFileSync(DEFAULT_DIAGRAM_PATH, 'utf8')).toBe(generateDiagram());
  });

  test('is a Mermaid state diagram of every menu, entry and end, with keys on the arrows', () => {
    const text = flowToMermaid(createCallMachine());
    expect(text.split('\n')[4]).toBe('stateDiagram-v2');
    for (const id of ['main_menu', 'menu_before', 'menu_during', 'menu_after', 'identify_national_id', 'identify_order_number', 'stores_area_code',
      'stores_mobile', 'registration_national_id', 'handoff', 'finish']) {
      expect(text).toMatch(new RegExp(`state ${id} \\{`));
    }
    expect(text).toMatch(/call_menu_after_wait --> identify : .*key 4 \/ refund/);
    expect(text).toMatch(/call_identify_lookup --> questions : lookupOrder done \[/);
    for (const f of ['call_transferred', 'call_completed', 'call_hung_up']) expect(text).toContain(`${f} --> [*]`);
    // braces balance: every composite is closed
    expect((text.match(/\{/g) ?? []).length).toBe((text.match(/\}/g) ?? []).length);
  });

  test('follows the configuration', () => {
    const text = flowToMermaid(createCallMachine({ menus: { 'main-menu': { prompt: 'main-menu', keys: { '5': { agent: 'finance' } } } } }));
    expect(text).toContain('key 5 / agent finance');
    expect(text).not.toContain('menu_after');
  });

  test('`diagram --check` exits 1 on a stale file and 0 on a fresh one; `diagram --out` writes it', async () => {
    vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const file = join(mkdtempSync(join(tmpdir(), 'flow-diagram-')), 'flow.mmd');
    expect(await run(['--check', '--out', file])).toBe(1); // missing
    writeFileSync(file, 'stateDiagram-v2\n');
    expect(await run(['--check', '--out', file])).toBe(1); // stale
    expect(String(err.mock.calls.at(-1)?.[0])).toMatch(/is stale.*run `ivr-1699 diagram`/);
    expect(await run(['--out', file])).toBe(0);
    expect(await run(['--check', '--out', file])).toBe(0);
    expect(readFileSync(file, 'utf8')).toBe(generateDiagram());
    await expect(run(['--nope'])).rejects.toThrow(/Unknown option '--nope'/);
  });
});
