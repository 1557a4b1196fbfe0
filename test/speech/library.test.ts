import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PromptLibrary, type LibraryChange } from '../../src/speech/library.ts';
import { PROMPTS_DIR, tempPrompts, writePromptAudio } from './helpers.ts';

const temps: string[] = [];
const libs: PromptLibrary[] = [];
afterEach(() => {
  for (const l of libs.splice(0)) l.close();
  for (const d of temps.splice(0)) rmSync(d, { recursive: true, force: true });
});

function setup(entries: Record<string, string>) {
  const dir = tempPrompts(entries);
  temps.push(dir);
  const logs: { level: string; obj: unknown; msg: string }[] = [];
  const rec = (level: string) => (obj: unknown, msg?: string) => void logs.push({ level, obj, msg: msg ?? '' });
  const logger = { info: rec('info'), warn: rec('warn'), error: rec('error') } as never;
  const lib = new PromptLibrary({ dir, logger, debounceMs: 30 });
  libs.push(lib);
  return { dir, lib, logs };
}

function nextChange(lib: PromptLibrary, ms = 5000): Promise<LibraryChange> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('no reload within the time limit')), ms);
    const off = lib.onChange((c) => {
      clearTimeout(t);
      off();
      resolve(c);
    });
  });
}

describe('PromptLibrary', () => {
  it('answers has() and text() for the project prompts', () => {
    const lib = new PromptLibrary({ dir: PROMPTS_DIR });
    expect(lib.has('welcome')).toBe(true);
    expect(lib.has('num/20-o')).toBe(true);
    expect(lib.text('num/500')).toBe('پانصد');
    expect(lib.formats('welcome')).toEqual(['alaw', 'sln16', 'ulaw', 'wav']);
    expect(lib.has('no-such-prompt')).toBe(false);
    expect(lib.describe(['num/20-o', 'num/1'])).toBe('بیست و یک');
  });

  it('reload() picks up a changed text, a new recording and a removed entry, and logs it', () => {
    const { dir, lib, logs } = setup({ a: 'الف', b: 'ب' });
    writePromptAudio(dir, 'a');
    expect(lib.has('a')).toBe(false); // audio appeared after the first load
    const cat = join(dir, 'catalogue', 'test.yaml');
    writeFileSync(cat, readFileSync(cat, 'utf8').replace('"الف"', '"آ"').replace(/^b:.*$/m, ''));
    const c = lib.reload();
    expect(c).toMatchObject({ textChanged: ['a'], removed: ['b'], audioChanged: ['a'], added: [] });
    expect(lib.has('a')).toBe(true);
    expect(lib.text('a')).toBe('آ');
    expect(lib.text('b')).toBeUndefined();
    expect(logs.at(-1)).toMatchObject({ level: 'info', msg: 'prompts reloaded' });
    expect(lib.reload()).toMatchObject({ textChanged: [], audioChanged: [], added: [], removed: [] });
  });

  it('keeps the last good catalogue when the new one is broken', () => {
    const { dir, lib, logs } = setup({ a: 'الف' });
    writeFileSync(join(dir, 'catalogue', 'broken.yaml'), 'a: { text: "دوباره", purpose: "dup" }\n');
    const c = lib.reload();
    expect(c.problems[0]).toMatch(/test\.yaml: entry 'a': duplicate name, already defined in .*broken\.yaml/);
    expect(lib.text('a')).toBe('الف');
    expect(logs.at(-1)?.level).toBe('error');
  });

  it('reloads by itself when a file changes (fs.watch)', async () => {
    const { dir, lib } = setup({ a: 'الف' });
    lib.watch();
    const changed = nextChange(lib);
    writePromptAudio(dir, 'a');
    const c = await changed;
    expect(c.audioChanged).toContain('a');
    expect(lib.has('a')).toBe(true);
    const again = nextChange(lib);
    const cat = join(dir, 'catalogue', 'test.yaml');
    writeFileSync(cat, readFileSync(cat, 'utf8').replace('"الف"', '"ب"'));
    expect((await again).textChanged).toEqual(['a']);
    expect(lib.text('a')).toBe('ب');
  });
});
