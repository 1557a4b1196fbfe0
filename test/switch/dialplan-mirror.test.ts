/**
 * The switch's 'project' dialplan mirrors dialplan/extensions.conf, so a test call through the
 * switch shows the same ChannelDialplan steps as one through a real Asterisk running dialplan/:
 * the entry extension step by step, and the NoOp line of every skill in the agents context.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { buildDialplan, findExtension, loadConfig } from '../../src/dialplan/index.ts';
import { SwitchCore } from '../../src/switch/core.ts';
import { extensionSteps } from '../../src/switch/dialplan.ts';
import { resolveSwitchOptions } from '../../src/switch/options.ts';

const conf = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'dialplan', 'extensions.conf');
const dp = buildDialplan(loadConfig(conf));
const core = new SwitchCore(resolveSwitchOptions({}), undefined);

describe("the switch's dialplan mirrors dialplan/extensions.conf", () => {
  it('runs the entry extension ivr-inbound,1699 step by step as the real one', () => {
    const real = findExtension(dp, 'ivr-inbound', '1699');
    expect(real).not.toBeNull();
    const ours = extensionSteps(core, 'ivr-inbound', '1699');
    expect(ours?.map((s) => `${s.app}(${s.data})`)).toEqual(real?.map((s) => `${s.app}(${s.args})`));
  });

  it('runs the watchdog extension ivr-inbound,T as the real one', () => {
    const real = findExtension(dp, 'ivr-inbound', 'T');
    expect(real).not.toBeNull();
    expect(extensionSteps(core, 'ivr-inbound', 'T')?.map((s) => `${s.app}(${s.data})`)).toEqual(real?.map((s) => `${s.app}(${s.args})`));
    // the switch's default watchdog is the dialplan's global
    expect(String(core.opts.watchdogSeconds)).toBe(/^IVR_WATCHDOG = (\d+)$/m.exec(readFileSync(conf, 'utf8'))?.[1]);
  });

  it('runs the same first steps at <agents>,<skill>,1 for every skill (NoOp line, Gosub, Queue)', () => {
    const agents = dp.contexts.get('agents');
    expect(agents).toBeDefined();
    const skills = [...(agents?.extensions.keys() ?? [])].filter((e) => !e.startsWith('_'));
    expect(skills).toContain('general');
    for (const skill of skills) {
      const real = findExtension(dp, 'agents', skill) ?? [];
      const ours = extensionSteps(core, 'agents', skill) ?? [];
      expect(ours.slice(0, 2).map((s) => `${s.app}(${s.data})`), skill).toEqual(real.slice(0, 2).map((s) => `${s.app}(${s.args})`));
      expect(ours[2]?.app, skill).toBe(real[2]?.app);
    }
  });

  it('runs the subroutine agents-common,s as the real one', () => {
    const real = findExtension(dp, 'agents-common', 's');
    expect(real).not.toBeNull();
    expect(extensionSteps(core, 'agents-common', 's')?.map((s) => `${s.app}(${s.data})`)).toEqual(real?.map((s) => `${s.app}(${s.args})`));
  });
});
