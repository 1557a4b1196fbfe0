import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/load.ts';
import { HEAP_GROWING_PERCENT_DEFAULT } from '../../src/config/service.ts';

const tmp = () => mkdtempSync(join(tmpdir(), 'ivr-cfg-'));

describe('configuration', () => {
  it('works with no file and no environment (a fresh clone)', () => {
    const c = loadConfig({ env: {}, cwd: tmp() });
    expect(c.service.ari.url).toBeUndefined();
    expect(c.service.ari.app).toBe('ivr-1699');
    expect(c.routing.skills.general).toEqual({ extension: 'general', queue: 'general-queue' });
  });
  it('environment overrides the file', () => {
    const dir = tmp();
    writeFileSync(join(dir, 'c.yaml'), 'service:\n  ari:\n    username: fromfile\n  http:\n    port: 9200\n');
    const c = loadConfig({ file: 'c.yaml', cwd: dir, env: { ARI_USERNAME: 'fromenv', ARI_PASSWORD: 'not-the-default', ARI_URL: 'http://10.0.0.5:8088' } });
    expect(c.service.ari.username).toBe('fromenv');
    expect(c.service.ari.url).toBe('http://10.0.0.5:8088');
    expect(c.service.http.port).toBe(9200);
  });
  it('lists every problem with its source, field and bad value', () => {
    const dir = tmp();
    writeFileSync(join(dir, 'c.yaml'), 'routing:\n  skills:\n    general: { extension: "Bad Ext", queue: general }\n');
    try {
      loadConfig({ file: 'c.yaml', cwd: dir, env: { HTTP_PORT: 'abc' } });
      expect.unreachable('should have thrown');
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      const p = (e as ConfigError).problems;
      expect(p.some((l) => l.startsWith('environment HTTP_PORT: service.http.port') && l.includes('"abc"'))).toBe(true);
      expect(p.some((l) => l.startsWith('c.yaml: routing.skills.general.extension') && l.includes('"Bad Ext"'))).toBe(true);
      // the other skills keep their default routes (partial tables merge over the defaults)
      expect(p.some((l) => l.includes('has no route'))).toBe(false);
    }
  });
  it('ARI_MAX_SOCKETS: REST connections to Asterisk at most (default 256), a whole number from 1 to 4000', () => {
    expect(loadConfig({ env: {}, cwd: tmp() }).service.ari.maxSockets).toBe(256);
    expect(loadConfig({ env: { ARI_MAX_SOCKETS: '90' }, cwd: tmp() }).service.ari.maxSockets).toBe(90);
    for (const bad of ['0', '2.5', 'many', '5000']) {
      try {
        loadConfig({ env: { ARI_MAX_SOCKETS: bad }, cwd: tmp() });
        expect.unreachable(`ARI_MAX_SOCKETS=${bad} should be refused`);
      } catch (e) {
        expect(e).toBeInstanceOf(ConfigError);
        expect((e as ConfigError).problems.some((l) => l.startsWith('environment ARI_MAX_SOCKETS: service.ari.maxSockets'))).toBe(true);
      }
    }
  });
  it('IVR_HEAP_GROWING_PERCENT: the heap-growth policy of `serve` (default HEAP_GROWING_PERCENT_DEFAULT, 0 = V8\'s own), a whole number from 0 to 400', () => {
    expect(loadConfig({ env: {}, cwd: tmp() }).service.heap.growingPercent).toBe(HEAP_GROWING_PERCENT_DEFAULT);
    expect(loadConfig({ env: { IVR_HEAP_GROWING_PERCENT: '0' }, cwd: tmp() }).service.heap.growingPercent).toBe(0);
    const dir = tmp();
    writeFileSync(join(dir, 'c.yaml'), 'service:\n  heap:\n    growingPercent: 30\n');
    expect(loadConfig({ file: 'c.yaml', cwd: dir, env: {} }).service.heap.growingPercent).toBe(30);
    for (const bad of ['-1', '2.5', 'half', '1000']) {
      try {
        loadConfig({ env: { IVR_HEAP_GROWING_PERCENT: bad }, cwd: tmp() });
        expect.unreachable(`IVR_HEAP_GROWING_PERCENT=${bad} should be refused`);
      } catch (e) {
        expect(e).toBeInstanceOf(ConfigError);
        expect((e as ConfigError).problems.some((l) => l.startsWith('environment IVR_HEAP_GROWING_PERCENT: service.heap.growingPercent') && l.includes('IVR_HEAP_GROWING_PERCENT:'))).toBe(true);
      }
    }
  });
  it('partial flow.menus and routing.skills merge over the defaults; null removes a default key', () => {
    const dir = tmp();
    writeFileSync(
      join(dir, 'c.yaml'),
      'flow:\n  menus:\n    main-menu:\n      keys:\n        "4": { agent: sales }\n        "0": null\n    menu-after:\n      prompt: menu-after-v2\nrouting:\n  skills:\n    sales: { queue: sales-2 }\n',
    );
    const c = loadConfig({ file: 'c.yaml', cwd: dir, env: {} });
    expect(c.flow.menus['main-menu']!.keys).toEqual({ '1': { menu: 'menu-before' }, '2': { menu: 'menu-during' }, '3': { menu: 'menu-after' }, '4': { agent: 'sales' } });
    expect(c.flow.menus['menu-after']!.prompt).toBe('menu-after-v2');
    expect(Object.keys(c.flow.menus['menu-after']!.keys)).toHaveLength(8);
    expect(Object.keys(c.flow.menus)).toEqual(['main-menu', 'menu-before', 'menu-during', 'menu-after']);
    expect(c.routing.skills.sales).toEqual({ extension: 'sales', queue: 'sales-2' });
    expect(c.routing.skills.general).toEqual({ extension: 'general', queue: 'general-queue' });
  });
  it('one prompts variable: IVR_PROMPTS_DIR is a deprecated alias of PROMPTS_DIR; both apart are refused', () => {
    const dir = tmp();
    const c = loadConfig({ cwd: dir, env: { IVR_PROMPTS_DIR: '/srv/prompts/fa' } });
    expect(c.service.prompts).toMatchObject({ dir: '/srv/prompts', language: 'fa' });
    expect(loadConfig({ cwd: dir, env: { IVR_PROMPTS_DIR: '/srv/prompts/fa', PROMPTS_DIR: '/srv/prompts' } }).service.prompts.dir).toBe('/srv/prompts');
    expect(() => loadConfig({ cwd: dir, env: { IVR_PROMPTS_DIR: '/a/fa', PROMPTS_DIR: '/b' } })).toThrow(/IVR_PROMPTS_DIR: deprecated, and it points elsewhere/);
  });
  it('says so when the file is not YAML or cannot be read', () => {
    const dir = tmp();
    writeFileSync(join(dir, 'bad.yaml'), 'service: [unclosed');
    expect(() => loadConfig({ file: 'bad.yaml', cwd: dir, env: {} })).toThrow(/bad.yaml: not valid YAML/);
    expect(() => loadConfig({ file: 'missing.yaml', cwd: dir, env: {} })).toThrow(/cannot read the config file/);
  });
});

describe('the default ARI password', () => {
  it('is refused with a clear error against an Asterisk that is not on this machine', () => {
    for (const url of ['http://10.0.0.5:8088', 'http://asterisk:8088', 'https://pbx.example.com']) {
      try {
        loadConfig({ env: { ARI_URL: url }, cwd: tmp() });
        expect.unreachable(url);
      } catch (e) {
        expect(e).toBeInstanceOf(ConfigError);
        expect((e as ConfigError).problems.join('\n')).toMatch(/ARI_PASSWORD is still the default "asterisk".*set ARI_USERNAME and ARI_PASSWORD/);
      }
    }
    expect(() => loadConfig({ env: { ARI_URL: 'http://asterisk:8088', ARI_USERNAME: 'ivr', ARI_PASSWORD: 'asterisk' }, cwd: tmp() })).toThrow(ConfigError);
  });
  it('is accepted on loopback and with a real password', () => {
    for (const url of ['http://127.0.0.1:8088', 'http://localhost:8088', 'http://[::1]:8088', 'http://127.0.0.2:8088']) {
      expect(loadConfig({ env: { ARI_URL: url }, cwd: tmp() }).service.ari.url).toBe(url);
    }
    expect(loadConfig({ env: { ARI_URL: 'http://10.0.0.5:8088', ARI_USERNAME: 'ivr', ARI_PASSWORD: 's3cret-pw' }, cwd: tmp() }).service.ari.password).toBe('s3cret-pw');
  });
});

describe('config/ivr-1699.example.yaml', () => {
  it('is a valid configuration whose values are the defaults', () => {
    const root = new URL('../../', import.meta.url).pathname;
    const fromFile = loadConfig({ file: 'config/ivr-1699.example.yaml', cwd: root, env: {} });
    const defaults = loadConfig({ env: {}, cwd: tmp() });
    expect(fromFile).toEqual(defaults);
  });
});
