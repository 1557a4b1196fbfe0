import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import { FlowConfig, flowNodeNames, flowPromptNames } from '../../src/flow/config.ts';

const messages = (input: unknown) => {
  const r = FlowConfig.safeParse(input);
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
};

describe('FlowConfig', () => {
  test('defaults: the spec menu tree, timeouts and tries', () => {
    const c = FlowConfig.parse({});
    expect(c.timeouts).toEqual({ firstDigitMs: 5000, interDigitMs: 3000, menuMs: 5000, repeatWindowMs: 4000 });
    expect(c.tries).toEqual({ menu: 3, entry: 3, lookup: 3 });
    expect(c.menus['main-menu']!.keys).toEqual({ '1': { menu: 'menu-before' }, '2': { menu: 'menu-during' }, '3': { menu: 'menu-after' }, '0': { agent: 'general' } });
    expect(Object.keys(c.menus['menu-after']!.keys).sort()).toEqual(['0', '1', '2', '3', '4', '5', '6', '7']);
    expect(c.entries['national-id']).toMatchObject({ minLength: 10, maxLength: 10, terminator: '#', readBack: 'announce' });
    expect(c.entries['order-number']).toMatchObject({ minLength: 10, maxLength: 10, readBack: 'off' });
    expect(c.registrationReadBack).toBe('confirm');
    expect(c.owningSkills.refund).toBe('follow-up');
  });

  test('partial overrides keep the other defaults', () => {
    const c = FlowConfig.parse({ timeouts: { menuMs: 7000 }, owningSkills: { refund: 'finance' }, prompts: { reasons: { 'nid-checksum': 'my-checksum' } } });
    expect(c.timeouts).toEqual({ firstDigitMs: 5000, interDigitMs: 3000, menuMs: 7000, repeatWindowMs: 4000 });
    expect(c.owningSkills).toMatchObject({ refund: 'finance', delivery: 'follow-up' });
    expect(c.prompts.reasons).toMatchObject({ 'nid-checksum': 'my-checksum', 'nid-same-digits': 'entry-nid-same-digits' });
  });

  test('parsing a parsed configuration gives the same configuration', () => {
    const c = FlowConfig.parse({ tries: { menu: 2 } });
    expect(FlowConfig.parse(c)).toEqual(c);
  });

  test('admin-readable errors that name the field and the fix', () => {
    expect(messages({ timeouts: { firstDigitMs: 100 } })).toEqual(['timeouts.firstDigitMs: timeouts.firstDigitMs: at least 500 ms (callers need time to press a key)']);
    expect(messages({ timeouts: { interDigitMs: 'soon' } })[0]).toMatch(/interDigitMs: a number of milliseconds, e.g. 3000/);
    expect(messages({ tries: { entry: 0 } })[0]).toMatch(/tries.entry: at least 1 try/);
    expect(messages({ menus: { 'main-menu': { prompt: 'main-menu', keys: { '1': { menu: 'menu-nowhere' } } } } })[0]).toMatch(
      /menus.main-menu.keys.1: menu 'menu-nowhere' does not exist; menus are: main-menu/,
    );
    expect(messages({ menus: { other: { prompt: 'x', keys: {} } } })[0]).toMatch(/there must be a menu called 'main-menu'/);
    expect(messages({ menus: { 'main-menu': { prompt: 'main-menu', keys: { '*': { agent: 'general' } } } } }).join()).toMatch(/'\*' is not a menu key.*the \* key always repeats the menu/);
    expect(messages({ menus: { 'main-menu': { prompt: 'main-menu', keys: { '1': { agent: 'nobody' } } } } }).join()).toMatch(/agent: 'nobody' is not one of general, sales/);
    expect(messages({ menus: { 'main-menu': { prompt: 'main-menu', keys: {} }, handoff: { prompt: 'x', keys: {} } } }).join()).toMatch(/'handoff' is a name the flow uses itself/);
    expect(messages({ menus: { 'main-menu': { prompt: 'main-menu', keys: { '1': { agnt: 'general' } } } } }).join()).toMatch(/only menu, topic, service or agent, not agnt/);
    expect(messages({ entries: { 'area-code': { minLength: 4, maxLength: 3 } } }).join()).toMatch(/minLength must not exceed maxLength/);
    expect(messages({ entries: { 'national-id': { minLength: 8, maxLength: 8 } } }).join()).toMatch(/entries.national-id: minLength 8–maxLength 8 never fits a valid national-id \(10 digits\)/);
    expect(messages({ entries: { 'area-code': { maxLength: 4 } } })).toEqual([]);
    expect(messages({ entries: { mobile: { readBack: 'maybe' } } }).join()).toMatch(/readBack: one of off, announce, confirm/);
    expect(messages({ prompts: { welcome: 'Welcome Prompt' } }).join()).toMatch(/lowercase kebab-case/);
  });
});

test('flowNodeNames: every IVR_NODE of the default flow', () => {
  expect(flowNodeNames(FlowConfig.parse({}))).toEqual([
    'main-menu', 'menu-before', 'menu-during', 'menu-after', 'national-id', 'order-number', 'area-code', 'mobile', 'confirm-national-id', 'confirm-mobile', 'hear-again',
  ]);
});

describe('flowPromptNames', () => {
  const here = dirname(fileURLToPath(import.meta.url));
  const catalogue = (area: string) => parse(readFileSync(join(here, '../../prompts/fa/catalogue', `${area}.yaml`), 'utf8')) as Record<string, { text: string; purpose: string }>;

  test('lists the prompts of menus, entries, explanations and services', () => {
    const names = flowPromptNames(FlowConfig.parse({}));
    for (const n of ['main-menu', 'menu-before', 'menu-during', 'menu-after', 'enter-national-id', 'enter-order-number', 'enter-area-code',
      'enter-mobile', 'confirm-entry', 'entry-nid-checksum', 'order-mismatch', 'goodbye', 'transfer-to-agent', 'system-unavailable']) {
      expect(names).toContain(n);
    }
    expect(names).toEqual([...new Set(names)].sort());
  });

  test('follows the configuration', () => {
    const names = flowPromptNames(FlowConfig.parse({ menus: { 'main-menu': { prompt: 'main-menu-2', keys: { '0': { agent: 'general' } } } } }));
    expect(names).toContain('main-menu-2');
    expect(names).not.toContain('menu-after');
  });

  test('every default prompt has a Persian text and an English purpose in the catalogue (flow.yaml or common.yaml)', () => {
    const texts = { ...catalogue('common'), ...catalogue('flow') };
    const missing = flowPromptNames(FlowConfig.parse({})).filter((n) => !texts[n]);
    expect(missing).toEqual([]);
    for (const [name, entry] of Object.entries(catalogue('flow'))) {
      expect(entry.text, name).toMatch(/[\u0600-\u06FF]/);
      expect(entry.purpose, name).toMatch(/[a-z]/);
    }
  });
});
