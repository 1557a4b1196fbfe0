import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runChecks } from '../../src/cli/commands/check.ts';

const root = new URL('../../', import.meta.url).pathname;

describe('ivr-1699 check', () => {
  it('passes on the repository', () => {
    const r = runChecks({ env: {} });
    expect(r.problems).toEqual([]);
  });

  it('fails, naming it, on a skill without a queue', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ivr-dp-'));
    cpSync(join(root, 'dialplan'), dir, { recursive: true });
    const q = readFileSync(join(dir, 'queues.conf'), 'utf8');
    const cut = q.replace(/^\[sales\][^\n]*\n(?:(?!\[)[^\n]*\n)*/m, '');
    expect(cut).not.toBe(q);
    writeFileSync(join(dir, 'queues.conf'), cut);
    const r = runChecks({ env: {}, dialplanDir: dir });
    expect(r.problems.some((p) => p.startsWith('dialplan:') && /sales/.test(p) && /queue/.test(p))).toBe(true);
    rmSync(dir, { recursive: true });
  });

  it('fails, naming the file, on a removed say-back fragment', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ivr-pr-'));
    cpSync(join(root, 'prompts/fa'), dir, { recursive: true });
    rmSync(join(dir, 'num/20.ulaw'));
    const r = runChecks({ env: {}, promptsDir: dir });
    expect(r.problems.some((p) => p.startsWith('prompts:') && p.includes('num/20') && p.includes('ulaw'))).toBe(true);
    rmSync(dir, { recursive: true });
  });

  it('fails on a bad configuration, naming the variable and value', () => {
    const r = runChecks({ env: { HTTP_PORT: 'eighty' } });
    expect(r.problems).toContain('config: environment HTTP_PORT: service.http.port: expected a port number 0–65535 (got "eighty")');
  });
});
