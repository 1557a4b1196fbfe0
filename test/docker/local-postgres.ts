/**
 * A throw-away PostgreSQL server for tests: initdb + pg_ctl in a temp dir, trust auth, user `ivr`,
 * unix socket in the temp dir and optionally a TCP port on 127.0.0.1. As root (CI), the server runs
 * as the `postgres` system user, since initdb refuses root. `pgSkipReason` is null when it can run.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

function findPgBin(): string | null {
  const which = spawnSync('sh', ['-c', 'command -v initdb'], { encoding: 'utf8' });
  if (which.status === 0 && which.stdout.trim()) return join(which.stdout.trim(), '..');
  const base = '/usr/lib/postgresql';
  if (!existsSync(base)) return null;
  const v = readdirSync(base).sort().at(-1);
  return v && existsSync(join(base, v, 'bin', 'initdb')) ? join(base, v, 'bin') : null;
}

const pgBin = findPgBin();
const isRoot = process.getuid?.() === 0;
const pgUid = isRoot ? spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' }) : null;

export const pgSkipReason: string | null =
  pgBin === null
    ? 'PostgreSQL server binaries (initdb) are not installed (Debian: apt-get install postgresql)'
    : isRoot && pgUid?.status !== 0
      ? 'running as root and there is no postgres system user to run the server as'
      : null;

export interface LocalPostgres {
  /** the temp dir: data directory inside, unix socket here */
  dir: string;
  user: string;
  database: string;
  /** TCP port on 127.0.0.1, when asked for */
  port?: number;
  /** runs psql against the server, returns its stdout */
  psql(args: string[], input?: string): string;
  stop(): void;
}

function asPg(cmd: string, args: string[]): void {
  const bin = join(pgBin as string, cmd);
  if (isRoot) execFileSync('runuser', ['-u', 'postgres', '--', bin, ...args], { stdio: 'pipe' });
  else execFileSync(bin, args, { stdio: 'pipe' });
}

export function startLocalPostgres(opts: { tcpPort?: number } = {}): LocalPostgres {
  if (pgSkipReason) throw new Error(pgSkipReason);
  const dir = mkdtempSync(join(tmpdir(), 'ivr-pg-'));
  if (isRoot) {
    const uid = Number(pgUid?.stdout.trim());
    chownSync(dir, uid, uid);
  }
  const data = join(dir, 'data');
  asPg('initdb', ['-D', data, '-U', 'ivr', '--auth=trust', '-E', 'UTF8', '--no-sync']);
  const listen = opts.tcpPort ? `-c listen_addresses=127.0.0.1 -p ${opts.tcpPort}` : `-c listen_addresses=''`;
  asPg('pg_ctl', ['-D', data, '-o', `-k ${dir} ${listen} -F`, '-w', '-l', join(dir, 'log'), 'start']);
  const portArgs = opts.tcpPort ? ['-p', String(opts.tcpPort)] : [];
  return {
    dir,
    user: 'ivr',
    database: 'postgres',
    ...(opts.tcpPort ? { port: opts.tcpPort } : {}),
    psql: (args, input) =>
      execFileSync('psql', ['-v', 'ON_ERROR_STOP=1', '-q', '-h', dir, ...portArgs, '-U', 'ivr', '-d', 'postgres', ...args], {
        encoding: 'utf8',
        ...(input !== undefined ? { input } : {}),
      }),
    stop: () => {
      try {
        asPg('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
