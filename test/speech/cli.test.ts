import { afterEach, describe, expect, it, vi } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run as say } from '../../src/cli/commands/say.ts';
import { run as prompts } from '../../src/cli/commands/prompts.ts';
import { UsageError } from '../../src/cli/usage-error.ts';
import { parseWav } from '../../src/speech/audio.ts';
import { capture, PROMPTS_DIR, hasSox } from './helpers.ts';

afterEach(() => vi.restoreAllMocks());

describe('ivr-1699 say', () => {
  it('prints the fragments and the Persian text', async () => {
    const c = capture();
    expect(await say(['1250000', '--as', 'amount', '--dir', PROMPTS_DIR])).toBe(0);
    expect(c.out()).toContain('fragments: num/1 num/1000000-o num/200-o num/50 num/1000 word/toman');
    expect(c.out()).toContain('text:      یک میلیون و دویست و پنجاه هزار تومان');
  });

  it('prints JSON with media URIs', async () => {
    const c = capture();
    await say(['R-01', '--as', 'digits', '--json', '--dir', PROMPTS_DIR]);
    expect(JSON.parse(c.out())).toEqual({ fragments: ['digit/0', 'digit/1'], media: ['sound:ivr-1699/digit/0', 'sound:ivr-1699/digit/1'], text: 'صفر یک' });
  });

  it('explains bad usage', async () => {
    await expect(say(['12x', '--as', 'number'])).rejects.toThrow(/'12x' is not a whole number/);
    await expect(say(['12', '--as', 'money'])).rejects.toThrow(UsageError);
    await expect(say(['2024-13-01', '--as', 'date'])).rejects.toThrow(/date: '2024-13-01' is not a valid date/);
  });

  it.skipIf(!hasSox)('writes the joined 8 kHz audio with --wav', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'ivr-1699-say-test-'));
    try {
      const file = join(tmp, 'd.wav');
      capture();
      await say(['2024-03-20', '--as', 'date', '--wav', file, '--dir', PROMPTS_DIR]);
      expect(existsSync(file)).toBe(true);
      const info = parseWav(readFileSync(file));
      expect(info).toMatchObject({ sampleRate: 8000, channels: 1, bitsPerSample: 16 });
      const parts = ['day/1', 'month/1', 'num/1000-o', 'num/400-o', 'num/3'].map((n) => parseWav(readFileSync(join(PROMPTS_DIR, `${n}.wav`))).dataLength);
      expect(info.dataLength).toBe(parts.reduce((a, b) => a + b, 0));
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});

describe('ivr-1699 prompts', () => {
  it('lists name, state and text', async () => {
    const c = capture();
    expect(await prompts(['list', '--dir', PROMPTS_DIR])).toBe(0);
    expect(c.out()).toMatch(/^num\/500\s+draft\s+پانصد$/m);
  });

  it('checks the repository prompts', async () => {
    const c = capture();
    expect(await prompts(['check', '--dir', PROMPTS_DIR])).toBe(0);
    expect(c.out()).toContain('prompts OK');
  });

  it('rejects an unknown subcommand', async () => {
    await expect(prompts(['bild'])).rejects.toThrow(/unknown subcommand 'bild'/);
  });
});
