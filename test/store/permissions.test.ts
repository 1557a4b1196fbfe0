/** The store holds personal data: its folder is private and its files 0600, checked and fixed at every start. */
import { chmodSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/db.ts';
import { memoryLogger } from '../integration/harness.ts';

const root = mkdtempSync(join(tmpdir(), 'ivr-perm-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const mode = (p: string) => (statSync(p).mode & 0o777).toString(8);

describe('store file permissions', () => {
  it('creates its folder 0700 and the database, WAL and shared-memory files 0600 whatever the umask', () => {
    const old = process.umask(0o022);
    try {
      const db = join(root, 'fresh', 'var', 'ivr.sqlite');
      const store = openStore(db);
      store.db.prepare(`INSERT INTO meta (key, value) VALUES ('x', 'y')`).run(); // the WAL has content
      expect(mode(join(root, 'fresh', 'var'))).toBe('700');
      for (const f of [db, `${db}-wal`, `${db}-shm`]) expect(mode(f), f).toBe('600');
      store.close();
    } finally {
      process.umask(old);
    }
  });

  it('fixes files found readable by others and warns; warns about a folder that is not its own', () => {
    const dir = join(root, 'shared');
    const db = join(dir, 'ivr.sqlite');
    openStore(db).close();
    chmodSync(dir, 0o755);
    chmodSync(db, 0o644);
    writeFileSync(`${db}-wal`, '');
    chmodSync(`${db}-wal`, 0o666);
    const { logger, logs } = memoryLogger('warn');
    const store = openStore(db, { logger });
    store.close();
    expect(mode(db)).toBe('600');
    expect(logs.join('\n')).toContain('store file permissions fixed');
    expect(logs.join('\n')).toContain('the store folder is readable by other users');
    expect(mode(dir)).toBe('755'); // not ours to change: the admin is told
  });
});
