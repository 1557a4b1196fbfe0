/**
 * The type check and the linter, as part of the suite so that CI enforces them.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

const root = new URL('../', import.meta.url).pathname;
const run = (cmd: string, args: string[]) => spawnSync(cmd, args, { cwd: root, encoding: 'utf8', timeout: 240_000 });

describe('static checks', () => {
  it('tsc --noEmit (strict) reports no error', () => {
    const r = run('npx', ['tsc', '--noEmit', '-p', 'tsconfig.json']);
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  }, 240_000);
  it('eslint reports no problem', () => {
    const r = run('npx', ['eslint', 'src', 'test', 'scripts']);
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  }, 240_000);
});
