import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { RoutingConfig } from '../../src/config/routing.ts';
import { checkDialplan } from '../../src/dialplan/check.ts';
import { loadConfig, parseConfig, resolveTemplates, sectionValue } from '../../src/dialplan/config-parser.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const entrypoint = join(root, 'docker', 'asterisk', 'entrypoint.sh');
const routing = RoutingConfig.parse(undefined);

/** Runs the entrypoint with a clean environment; the command it execs prints a marker. */
function run(env: Record<string, string>): { status: number | null; stdout: string; stderr: string; dir: string } {
  const dir = join(mkdtempSync(join(tmpdir(), 'ivr-entry-')), 'dialplan');
  const r = spawnSync('sh', [entrypoint, 'echo', 'asterisk-started'], {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', IVR_DIALPLAN_DIR: join(root, 'dialplan'), ASTERISK_CONFIG_DIR: dir, ...env },
    encoding: 'utf8',
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, dir };
}

const base = { ARI_USERNAME: 'ivr-1699', ARI_PASSWORD: 'ari-secret-123', PJSIP_PASSWORD_DEFAULT: 'default-secret-1' };

/** auth section name → password, from pjsip.conf with pjsip_local.conf spliced in. */
function passwords(dir: string): Map<string, string | undefined> {
  const r = resolveTemplates(loadConfig(join(dir, 'pjsip.conf')));
  expect(r.errors).toEqual([]);
  return new Map(r.sections.filter((s) => !s.template && sectionValue(s, 'type') === 'auth').map((s) => [s.name, sectionValue(s, 'password')]));
}

describe('docker/asterisk/entrypoint.sh', () => {
  it('writes every account password, the ARI user, then execs the command; the result passes the check', () => {
    const r = run({ ...base, PJSIP_PASSWORD_AGENT_2003: 'sales-agent-pw-3', ASTERISK_HTTP_BINDADDR: '0.0.0.0' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe('asterisk-started');
    const pw = passwords(r.dir);
    expect(pw.size).toBe(13);
    expect(pw.get('agent-2003-auth')).toBe('sales-agent-pw-3');
    expect(pw.get('tester-01-auth')).toBe('default-secret-1');
    expect([...pw.values()].every((v) => v && v.length >= 10)).toBe(true);
    const ari = parseConfig(readFileSync(join(r.dir, 'ari_local.conf'), 'utf8'));
    expect(ari.sections.map((s) => [s.name, Object.fromEntries(s.entries.map((e) => [e.key, e.value]))])).toEqual([
      ['ivr-1699', { type: 'user', read_only: 'no', password_format: 'plain', password: 'ari-secret-123' }],
    ]);
    expect(statSync(join(r.dir, 'pjsip_local.conf')).mode & 0o077).toBe(0);
    expect(statSync(join(r.dir, 'ari_local.conf')).mode & 0o077).toBe(0);
    const http = resolveTemplates(loadConfig(join(r.dir, 'http.conf'))).sections[0];
    expect(http && sectionValue(http, 'bindaddr')).toBe('0.0.0.0');
    expect(checkDialplan({ dir: r.dir, routing })).toEqual([]);
  });

  it('keeps HTTP on loopback and the transports without NAT addresses unless told otherwise', () => {
    const r = run(base);
    expect(r.status).toBe(0);
    const http = resolveTemplates(loadConfig(join(r.dir, 'http.conf'))).sections[0];
    expect(http && sectionValue(http, 'bindaddr')).toBe('127.0.0.1');
    expect(readFileSync(join(r.dir, 'pjsip_local.conf'), 'utf8')).not.toMatch(/external_/);
  });

  it('adds the NAT addresses to both transports with ASTERISK_EXTERNAL_ADDRESS', () => {
    const r = run({ ...base, ASTERISK_EXTERNAL_ADDRESS: '203.0.113.7', ASTERISK_LOCAL_NETS: '192.168.10.0/24' });
    expect(r.status).toBe(0);
    const sections = resolveTemplates(loadConfig(join(r.dir, 'pjsip.conf'))).sections.filter((s) => sectionValue(s, 'type') === 'transport');
    expect(sections.map((s) => [s.name, sectionValue(s, 'external_media_address'), sectionValue(s, 'external_signaling_address'), sectionValue(s, 'local_net')])).toEqual([
      ['transport-udp', '203.0.113.7', '203.0.113.7', '192.168.10.0/24'],
      ['transport-tcp', '203.0.113.7', '203.0.113.7', '192.168.10.0/24'],
    ]);
  });

  it('in the cluster gives every phone aor the proxy contact, media_address to endpoints, its own RTP range', () => {
    const r = run({ ...base, IVR_SIP_PROXY: 'kamailio:5060', ASTERISK_EXTERNAL_ADDRESS: '203.0.113.7', ASTERISK_RTP_START: '10200', ASTERISK_RTP_END: '10399' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const sections = resolveTemplates(loadConfig(join(r.dir, 'pjsip.conf'))).sections.filter((s) => !s.template);
    const aors = sections.filter((s) => sectionValue(s, 'type') === 'aor');
    expect(aors).toHaveLength(13);
    for (const a of aors) expect(sectionValue(a, 'contact')).toBe(`sip:${a.name}@kamailio:5060`);
    const endpoints = sections.filter((s) => sectionValue(s, 'type') === 'endpoint');
    expect(endpoints.every((e) => sectionValue(e, 'media_address') === '203.0.113.7')).toBe(true);
    expect(sections.some((s) => sectionValue(s, 'external_media_address'))).toBe(false);
    const rtp = resolveTemplates(loadConfig(join(r.dir, 'rtp.conf'))).sections[0];
    expect(rtp && [sectionValue(rtp, 'rtpstart'), sectionValue(rtp, 'rtpend')]).toEqual(['10200', '10399']);
    expect(checkDialplan({ dir: r.dir, routing })).toEqual([]);
  });

  it('sets the queue waits of extensions.conf from ASTERISK_SKILL_QUEUE_WAIT / ASTERISK_GENERAL_QUEUE_WAIT', () => {
    const globals = (dir: string) => {
      const g = resolveTemplates(loadConfig(join(dir, 'extensions.conf'))).sections.find((s) => s.name === 'globals');
      return g && [sectionValue(g, 'SKILL_QUEUE_WAIT'), sectionValue(g, 'GENERAL_QUEUE_WAIT')];
    };
    expect(globals(run(base).dir)).toEqual(['180', '120']);
    const r = run({ ...base, ASTERISK_SKILL_QUEUE_WAIT: '12', ASTERISK_GENERAL_QUEUE_WAIT: '8' });
    expect(r.status).toBe(0);
    expect(globals(r.dir)).toEqual(['12', '8']);
    expect(checkDialplan({ dir: r.dir, routing })).toEqual([]);
    for (const bad of ['0', '012', '3601', '1m', '-5', ' 9']) {
      const b = run({ ...base, ASTERISK_SKILL_QUEUE_WAIT: bad });
      expect(b.status, bad).toBe(1);
      expect(b.stdout).toBe('');
      expect(b.stderr).toContain(`ASTERISK_SKILL_QUEUE_WAIT '${bad}' must be a whole number of seconds from 1 to 3600`);
    }
  });

  it('stops with every missing or bad variable listed, and starts nothing', () => {
    const r = run({ PJSIP_PASSWORD_TESTER_01: 'short', ARI_PASSWORD: 'has;semicolon', ASTERISK_HTTP_BINDADDR: 'any', ASTERISK_EXTERNAL_ADDRESS: 'a b' });
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('PJSIP_PASSWORD_TESTER_01 is shorter than 10 characters');
    expect(r.stderr).toContain('PJSIP_PASSWORD_TESTER_02 (password of SIP account tester-02) is not set, nor PJSIP_PASSWORD_DEFAULT');
    expect(r.stderr).toContain('PJSIP_PASSWORD_AGENT_2010 (password of SIP account agent-2010) is not set');
    expect(r.stderr).toContain('ARI_USERNAME is not set');
    expect(r.stderr).toContain("ARI_PASSWORD must not contain ';', '[' or ']'");
    expect(r.stderr).toContain("ASTERISK_HTTP_BINDADDR 'any' is not an IP address");
    expect(r.stderr).toContain("ASTERISK_EXTERNAL_ADDRESS 'a b' must be an IP address or a host name");
    expect(r.stderr.match(/^ {2}- /gm)).toHaveLength(17);
  });
});
