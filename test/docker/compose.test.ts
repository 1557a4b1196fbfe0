import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadConfig, resolveTemplates, sectionValue } from '../../src/dialplan/config-parser.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const dockerDir = join(root, 'docker');

interface Service {
  image?: string;
  build?: { context: string; dockerfile: string };
  ports?: string[];
  volumes?: string[];
  environment?: Record<string, string>;
  entrypoint?: string[];
  command?: string[];
}
const load = (file: string): Record<string, Service> =>
  (parse(readFileSync(join(dockerDir, file), 'utf8'), { merge: true }) as { services: Record<string, Service> }).services;

/** `host:container/proto` → [first, last] container port and protocol. */
function published(p: string): { from: number; to: number; proto: string; host: string } {
  const m = /^(?:([\d.]+):)?(\d+)(?:-(\d+))?:(\d+)(?:-(\d+))?(?:\/(udp|tcp))?$/.exec(p);
  if (!m) throw new Error(`cannot read port mapping '${p}'`);
  return { host: m[1] ?? '0.0.0.0', from: Number(m[4]), to: Number(m[5] ?? m[4]), proto: m[6] ?? 'tcp' };
}

const rtp = (() => {
  const s = resolveTemplates(loadConfig(join(root, 'dialplan', 'rtp.conf'))).sections[0];
  return { start: Number(s && sectionValue(s, 'rtpstart')), end: Number(s && sectionValue(s, 'rtpend')) };
})();

/** Host-side sources of bind mounts, resolved against the compose file's folder. */
const binds = (file: string, svc: Service): string[] =>
  (svc.volumes ?? []).map((v) => v.split(':')[0] as string).filter((src) => src.startsWith('.')).map((src) => resolve(dirname(join(dockerDir, file)), src));

describe('docker/compose.yaml', () => {
  const services = load('compose.yaml');

  it('runs a public Asterisk 22 image through our entrypoint with dialplan/ and the prompts mounted', () => {
    const a = services.asterisk as Service;
    expect(a.image).toMatch(/^andrius\/asterisk:22\.\d+\.\d+_debian-[a-z]+$/);
    expect(a.entrypoint).toEqual(['/bin/sh', '/opt/ivr-1699/entrypoint.sh']);
    expect(a.command?.[0]).toBe('/usr/sbin/asterisk');
    expect(a.volumes).toContain('../dialplan:/etc/asterisk-ivr:ro');
    expect(a.volumes).toContain('../prompts/fa:/var/lib/asterisk/sounds/fa/ivr-1699:ro');
    for (const src of binds('compose.yaml', a).filter((s) => !s.includes('prompts'))) expect(existsSync(src), src).toBe(true);
  });

  it('publishes SIP and exactly the RTP range of rtp.conf, never ARI', () => {
    const ports = (services.asterisk?.ports ?? []).map(published);
    expect(ports).toContainEqual({ host: '0.0.0.0', from: 5060, to: 5060, proto: 'udp' });
    expect(ports).toContainEqual({ host: '0.0.0.0', from: 5060, to: 5060, proto: 'tcp' });
    expect(ports).toContainEqual({ host: '0.0.0.0', from: rtp.start, to: rtp.end, proto: 'udp' });
    for (const svc of Object.values(services)) for (const p of (svc.ports ?? []).map(published)) expect(p.from <= 8088 && 8088 <= p.to).toBe(false);
  });

  it('points the service at Asterisk over the compose network and keeps /metrics on loopback', () => {
    const ivr = services.ivr as Service;
    expect(ivr.build).toEqual({ context: '..', dockerfile: 'docker/Dockerfile' });
    expect(ivr.environment?.ARI_URL).toBe('http://asterisk:8088');
    expect(ivr.environment?.ARI_PASSWORD).toMatch(/^\$\{ARI_PASSWORD:\?/);
    expect((ivr.ports ?? []).map(published)).toEqual([{ host: '127.0.0.1', from: 9100, to: 9100, proto: 'tcp' }]);
  });
});

describe('docker/cluster/compose.yaml', () => {
  const services = load('cluster/compose.yaml');
  const asterisks = Object.entries(services).filter(([, s]) => s.image?.startsWith('andrius/asterisk:22.'));

  it('has two Asterisk + service pairs, each service on its own Asterisk and the shared PostgreSQL', () => {
    expect(asterisks.map(([n]) => n)).toEqual(['asterisk-a', 'asterisk-b']);
    const ivrs = Object.entries(services).filter(([, s]) => s.environment?.ARI_URL);
    expect(ivrs.map(([, s]) => s.environment?.ARI_URL)).toEqual(['http://asterisk-a:8088', 'http://asterisk-b:8088']);
    for (const [, s] of ivrs) expect(s.environment?.IVR_DB_URL).toMatch(/^postgres:\/\/ivr:\$\{POSTGRES_PASSWORD:\?[^}]*\}@postgres:5432\/ivr$/);
    expect(services.postgres?.image).toMatch(/^postgres:\d+/);
  });

  it('gives each Asterisk its own published RTP range, equal to what its entrypoint writes', () => {
    const ranges = asterisks.map(([, s]) => {
      const env = s.environment ?? {};
      const p = (s.ports ?? []).map(published).find((x) => x.proto === 'udp');
      expect(p).toEqual({ host: '0.0.0.0', from: Number(env.ASTERISK_RTP_START), to: Number(env.ASTERISK_RTP_END), proto: 'udp' });
      expect(env.IVR_SIP_PROXY).toBe('kamailio:5060');
      return p as { from: number; to: number };
    });
    expect(ranges[0]!.to < ranges[1]!.from || ranges[1]!.to < ranges[0]!.from).toBe(true);
  });

  it('sends SIP to Kamailio only, whose dispatcher set lists exactly the Asterisk services', () => {
    const sip = Object.entries(services).filter(([, s]) => (s.ports ?? []).map(published).some((p) => p.from === 5060));
    expect(sip.map(([n]) => n)).toEqual(['kamailio']);
    const list = readFileSync(join(dockerDir, 'cluster', 'dispatcher.list'), 'utf8')
      .split('\n')
      .filter((l) => l.trim() && !l.startsWith('#'))
      .map((l) => l.trim().split(/\s+/));
    expect(list.map((f) => f[0])).toEqual(['1', '1']);
    expect(list.map((f) => /^sip:([^:]+):5060$/.exec(f[1] ?? '')?.[1])).toEqual(asterisks.map(([n]) => n));
    for (const [name, s] of Object.entries(services)) for (const src of binds('cluster/compose.yaml', s).filter((x) => !x.includes('prompts'))) expect(existsSync(src), `${name}: ${src}`).toBe(true);
  });
});

describe('docker/Dockerfile', () => {
  const text = readFileSync(join(dockerDir, 'Dockerfile'), 'utf8');
  const lines = text.split('\n').filter((l) => !l.startsWith('#'));

  it('is multi-stage, runs as a non-root user, and checks /health on HTTP_PORT', () => {
    expect(lines.filter((l) => /^FROM /.test(l)).length).toBeGreaterThanOrEqual(2);
    const users = lines.filter((l) => /^USER /.test(l)).map((l) => l.slice(5).trim());
    expect(users.length).toBeGreaterThan(0);
    expect(users.at(-1)).not.toMatch(/^(root|0)$/);
    expect(text).toMatch(/HEALTHCHECK[^\n]*\\\n[^\n]*CMD \[.*127\.0\.0\.1:'\+\(process\.env\.HTTP_PORT\|\|9100\)\+'\/health/);
    expect(lines.find((l) => l.startsWith('CMD '))).toBe('CMD ["node", "bin/ivr-1699.mjs", "serve"]');
  });

  it('runs the compiled JavaScript: dist/ from the build stage, no TypeScript sources in the runtime image', () => {
    const runtime = text.slice(text.lastIndexOf('\nFROM '));
    expect(runtime).toMatch(/^COPY --from=build \/app\/dist \.\/dist$/m);
    expect(runtime).not.toMatch(/^COPY src\b/m);
    expect(runtime).toMatch(/IVR_RUNTIME=dist/);
    expect(text).toMatch(/^RUN node scripts\/build\.mjs$/m);
  });

  it('copies only sources that exist in the repository', () => {
    const sources = lines.filter((l) => /^COPY (?!--from)/.test(l)).flatMap((l) => l.split(/\s+/).slice(1, -1));
    expect(sources.length).toBeGreaterThan(3);
    for (const s of sources) expect(existsSync(join(root, s)), s).toBe(true);
  });
});
