/**
 * Stores in a temp folder for one test file, opened as the service opens its store (busy timeout
 * 0): each closed (its writer thread first) and the folder removed after the file's tests.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { openStore, type IvrStore } from '../../src/store/db.ts';

type StoreOptions = NonNullable<Parameters<typeof openStore>[1]>;

export function tempStores(prefix: string): (o?: StoreOptions) => IvrStore {
  const dir = mkdtempSync(join(tmpdir(), `ivr-${prefix}-`));
  const stores: IvrStore[] = [];
  let n = 0;
  afterAll(async () => {
    for (const s of stores) {
      await s.writer?.close();
      s.close();
    }
    rmSync(dir, { recursive: true, force: true });
  });
  return (o = {}) => {
    const s = openStore(join(dir, `${prefix}${++n}.sqlite`), { busyTimeoutMs: 0, ...o });
    stores.push(s);
    return s;
  };
}
