import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CatalogueError, loadCatalogue, parseCatalogueFile, readCatalogue } from '../../src/speech/catalogue.ts';
import { CATALOGUE_DIR } from './helpers.ts';

function catalogueDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'ivr-1699-cat-'));
  for (const [f, s] of Object.entries(files)) writeFileSync(join(dir, f), s);
  return dir;
}

describe('the project catalogue', () => {
  it('loads, with the generic prompts and the fragments', () => {
    const c = loadCatalogue(CATALOGUE_DIR);
    for (const n of ['welcome', 'goodbye', 'please-wait', 'invalid-key', 'no-input', 'transfer-to-agent', 'system-unavailable',
      'request-registered', 'you-entered', 'star-to-repeat', 'num/0', 'num/200', 'num/20-o', 'day/31', 'month/12', 'word/toman']) {
      expect(c.entries.get(n)?.text, n).toMatch(/\S/);
    }
    expect(c.entries.get('num/500')?.text).toBe('پانصد');
    expect(c.entries.get('num/300-o')?.text).toBe('سیصد و');
    expect(c.entries.get('month/1')?.text).toBe('فروردین');
    expect(c.entries.get('welcome')?.file).toBe(join(CATALOGUE_DIR, 'common.yaml'));
  });
});

describe('loadCatalogue errors', () => {
  it('names the file, the entry and the field', () => {
    const dir = catalogueDir({ 'a.yaml': 'hello: { purpose: "greets" }\nbye: { text: 12, purpose: "x" }\n' });
    const { problems } = readCatalogue(dir);
    expect(problems).toContainEqual(expect.stringMatching(new RegExp(`^${join(dir, 'a.yaml')}: entry 'hello': field 'text': `)));
    expect(problems).toContainEqual(expect.stringMatching(/a\.yaml: entry 'bye': field 'text': expected string, got 12/));
    expect(() => loadCatalogue(dir)).toThrow(CatalogueError);
  });

  it('rejects duplicate names across files, naming both files', () => {
    const dir = catalogueDir({
      'a.yaml': 'welcome: { text: "سلام", purpose: "hi" }\n',
      'b.yaml': 'welcome: { text: "درود", purpose: "hi again" }\n',
    });
    expect(() => loadCatalogue(dir)).toThrow(/b\.yaml: entry 'welcome': duplicate name, already defined in .*a\.yaml/);
  });

  it('rejects a duplicate key inside one file, bad names and unknown fields', () => {
    expect(parseCatalogueFile('x.yaml', 'a: { text: "ی", purpose: "p" }\na: { text: "ی", purpose: "p" }\n').problems[0]).toMatch(
      /^x\.yaml: YAML error: .*unique/i,
    );
    expect(parseCatalogueFile('x.yaml', 'Main_Menu: { text: "ی", purpose: "p" }\n').problems[0]).toMatch(
      /x\.yaml: entry 'Main_Menu': the name must be lowercase kebab-case/,
    );
    expect(parseCatalogueFile('x.yaml', 'm: { text: "ی", purpose: "p", voice: "x" }\n').problems[0]).toMatch(
      /x\.yaml: entry 'm': field '\(entry\)': unknown field\(s\) voice/,
    );
    expect(parseCatalogueFile('x.yaml', '- a\n- b\n').problems[0]).toMatch(/x\.yaml: must be a mapping/);
  });

  it('accepts an empty file and an optional speak spelling', () => {
    const r = parseCatalogueFile('x.yaml', '# nothing yet\n');
    expect(r).toEqual({ entries: [], problems: [] });
    const s = parseCatalogueFile('x.yaml', 'num/20-o: { text: "بیست و", purpose: "p", speak: "بیستُ" }\n');
    expect(s.entries[0]).toMatchObject({ name: 'num/20-o', speak: 'بیستُ' });
  });

  it('names a missing folder', () => {
    expect(() => loadCatalogue('/nonexistent/catalogue')).toThrow(/\/nonexistent\/catalogue: cannot read the prompt catalogue folder/);
  });
});
