import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const cfg = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'docker', 'cluster', 'kamailio.cfg');
// Kamailio is a Debian package (`apt-get install kamailio kamailio-postgres-modules`); CI installs it.
const hasKamailio = spawnSync('kamailio', ['-v'], { encoding: 'utf8' }).status === 0;
const kamailio = (file: string) =>
  spawnSync('kamailio', ['-c', '-f', file], { encoding: 'utf8', env: { ...process.env, KAMAILIO_DB_URL: 'postgres://ivr:x@127.0.0.1/ivr' } });

describe('docker/cluster/kamailio.cfg', () => {
  it.skipIf(!hasKamailio)('passes `kamailio -c` (skipped: kamailio is not installed; apt-get install kamailio kamailio-postgres-modules)', () => {
    const r = kamailio(cfg);
    expect(r.stderr + r.stdout).toContain('config file ok');
    expect(r.status).toBe(0);
  });

  it.skipIf(!hasKamailio)('the same check rejects a broken copy (skipped: kamailio is not installed)', () => {
    const bad = join(mkdtempSync(join(tmpdir(), 'ivr-kam-')), 'kamailio.cfg');
    writeFileSync(bad, readFileSync(cfg, 'utf8').replace('ds_select_dst("1", "4")', 'ds_select_destination("1", "4")'));
    const r = kamailio(bad);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/ds_select_destination/);
  });
});
