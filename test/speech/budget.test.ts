/**
 * The length budget per prompt (issue 15): `ivr-1699 check` warns about every prompt longer than
 * service.prompts.maxSeconds (IVR_PROMPT_MAX_SECONDS, default 8 s); the sale-plans information was
 * shortened under it.
 */
import { describe, expect, it } from 'vitest';
import { runChecks } from '../../src/cli/commands/check.ts';
import { wavSeconds } from '../../src/speech/batch.ts';
import { promptLengthWarnings } from '../../src/speech/check.ts';
import { PROMPTS_DIR } from './helpers.ts';

describe('prompt length budget', () => {
  it('warns about each prompt above the budget, longest first, and leaves fragments out', () => {
    const w = promptLengthWarnings(PROMPTS_DIR, 20);
    const secs = w.map((l) => Number(/lasts ([\d.]+) s/.exec(l)![1]));
    expect(secs.length).toBeGreaterThan(0);
    expect(secs.every((s) => s > 20)).toBe(true);
    expect([...secs].sort((a, b) => b - a)).toEqual(secs);
    expect(w[0]).toMatch(/menu-after\.wav lasts [\d.]+ s, above the 20 s budget per prompt/);
    expect(promptLengthWarnings(PROMPTS_DIR, 0.1).some((l) => /\/(num|digit|pause)\//.test(l))).toBe(false);
  });

  it('check takes the budget from the configuration, and the sale-plans information is within the default', () => {
    const env = { ...process.env, IVR_PROMPT_MAX_SECONDS: '25' };
    const long = runChecks({ env }).warnings.filter((l) => l.includes('budget'));
    expect(long.map((l) => /fa\/([a-z-]+)\.wav/.exec(l)![1]).sort()).toEqual(['menu-after', 'menu-before']);
    expect(wavSeconds(`${PROMPTS_DIR}/sale-plans-info.wav`)).toBeLessThan(8);
    const { IVR_PROMPT_MAX_SECONDS: _unset, ...withoutBudget } = process.env;
    const byDefault = runChecks({ env: withoutBudget }).warnings.join('\n');
    expect(byDefault).toMatch(/main-menu\.wav lasts [\d.]+ s, above the 8 s budget/);
    expect(byDefault).not.toContain('sale-plans-info.wav');
  });
});
