import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { README_PATH, readmeWithMenuTree } from '../../src/cli/commands/diagram.ts';

const readme = readFileSync(README_PATH, 'utf8');
const commands = readdirSync(new URL('../../src/cli/commands/', import.meta.url)).map((f) => f.replace(/\.ts$/, ''));

describe('README', () => {
  it('shows the menu tree of the current flow (run `ivr-1699 diagram` when this fails)', () => {
    expect(readme).toContain('```mermaid\nflowchart LR');
    expect(readmeWithMenuTree(readme)).toBe(readme);
  });
  it('names only commands that exist', () => {
    const named = [...readme.matchAll(/(?:npx |`)ivr-1699 ([a-z]+)/g)].map((m) => m[1]!);
    expect(named.length).toBeGreaterThan(10);
    for (const c of new Set(named)) expect(commands, `README names "ivr-1699 ${c}"`).toContain(c);
  });
});
