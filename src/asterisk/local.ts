/**
 * A real Asterisk 22 on this machine, run with the project's own `dialplan/`: found from
 * ASTERISK_HOME (an unpacked install: sbin/asterisk, lib/asterisk/modules, var/lib/asterisk), the
 * project's `.asterisk/` (where `.ci/run` unpacks the tarball), or `asterisk` on PATH.
 *
 * The configuration is generated exactly as the container does it: docker/asterisk/entrypoint.sh
 * copies dialplan/*.conf and writes the passwords, ports and ARI user from the environment. Then an
 * asterisk.conf points every directory at a scratch folder (run, log, spool, db) and at a data
 * folder of links (the install's rest-api/ and documentation/, the project's prompts as
 * sounds/<language>/ivr-1699, the hold music as moh/ivr-1699), and Asterisk runs in the
 * foreground (-f) until stop().
 *
 * Used by the real-Asterisk tests and by `ivr-1699 asterisk` (a tester's Asterisk without Docker).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { createSocket } from 'node:dgram';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync, openSync, closeSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';

export interface AsteriskInstall {
  /** the asterisk binary */
  binary: string;
  /** lib/asterisk/modules */
  modules: string;
  /** var/lib/asterisk (holds rest-api/, which ari-client's Swagger fetch needs) */
  data: string;
  /** where it was found, for messages */
  source: string;
}

/** Where to look, in order; the first that has a binary, a modules folder and a data folder wins. */
export function findAsterisk(env: NodeJS.ProcessEnv = process.env, projectRoot = process.cwd()): AsteriskInstall | { missing: string } {
  const homes: { home: string; source: string }[] = [];
  if (env.ASTERISK_HOME) homes.push({ home: resolve(env.ASTERISK_HOME), source: `ASTERISK_HOME=${env.ASTERISK_HOME}` });
  const local = join(projectRoot, '.asterisk');
  if (existsSync(local)) {
    for (const d of readdirSync(local).sort().reverse()) if (d.startsWith('asterisk-')) homes.push({ home: join(local, d), source: `.asterisk/${d}` });
  }
  for (const { home, source } of homes) {
    const inst = installAt(home, source);
    if (inst) return inst;
    if (source.startsWith('ASTERISK_HOME')) return { missing: `${source} has no sbin/asterisk with lib/asterisk/modules and var/lib/asterisk/rest-api beside it` };
  }
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    const bin = join(dir, 'asterisk');
    if (!dir || !existsSync(bin)) continue;
    const prefix = dirname(dirname(bin)); // /usr/sbin/asterisk -> /usr
    const modules = [join(prefix, 'lib/asterisk/modules'), join(prefix, 'lib/x86_64-linux-gnu/asterisk/modules'), join(prefix, 'lib64/asterisk/modules')].find(existsSync);
    const data = [join(prefix, 'var/lib/asterisk'), '/var/lib/asterisk', join(prefix, 'share/asterisk')].find((d) => existsSync(join(d, 'rest-api')));
    if (modules && data) return { binary: bin, modules, data, source: `${bin} on PATH` };
    return { missing: `${bin} is on PATH but its modules or rest-api folder were not found (set ASTERISK_HOME to an unpacked install instead)` };
  }
  return {
    missing:
      'no Asterisk here: set ASTERISK_HOME to an Asterisk 22 install (sbin/, lib/asterisk/modules, var/lib/asterisk), put `asterisk` on PATH, or unpack one into .asterisk/ (.ci/run unpacks ../shared/asterisk/asterisk-22.10.1.tar.xz there)',
  };
}

function installAt(home: string, source: string): AsteriskInstall | null {
  const binary = join(home, 'sbin/asterisk');
  const modules = join(home, 'lib/asterisk/modules');
  const data = join(home, 'var/lib/asterisk');
  if (existsSync(binary) && existsSync(modules) && existsSync(join(data, 'rest-api'))) return { binary, modules, data, source };
  return null;
}

/** A free TCP port on 127.0.0.1 (bound and released). */
export function freeTcpPort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => res(port));
    });
  });
}

/** A port free for both UDP and TCP on 127.0.0.1 (SIP listens on both). */
export async function freeSipPort(): Promise<number> {
  for (let i = 0; i < 20; i++) {
    const port = await freeTcpPort();
    const ok = await new Promise<boolean>((res) => {
      const u = createSocket('udp4');
      u.once('error', () => res(false));
      u.bind(port, '127.0.0.1', () => u.close(() => res(true)));
    });
    if (ok) return port;
  }
  throw new Error('no port free for both UDP and TCP');
}

export interface LocalAsteriskOptions {
  install: AsteriskInstall;
  /** the project root (dialplan/, docker/asterisk/entrypoint.sh, prompts/, docker/moh/) */
  projectRoot: string;
  /** defaults: free ports */
  httpPort?: number;
  sipPort?: number;
  /** SIP bind address; default 127.0.0.1 */
  sipBind?: string;
  rtpStart?: number;
  ariUsername?: string;
  ariPassword?: string;
  /** every SIP account's password (PJSIP_PASSWORD_DEFAULT) */
  sipPassword?: string;
  /** prompts folder linked as sounds/<language>/ivr-1699; default prompts/fa */
  promptsDir?: string;
  language?: string;
  /** keep the scratch folder (for a person looking at the logs); default: removed by stop() */
  keep?: boolean;
  /** scratch folder; default a new one in the OS temp folder */
  scratch?: string;
  /** extra environment for the entrypoint */
  env?: Record<string, string>;
  /**
   * a test-only dialplan written over the generated extensions.conf (e.g. the one the switch's
   * conformance fixtures are recorded with); default: the project's dialplan/extensions.conf
   */
  extensionsConf?: string;
  /** how long to wait for ARI; default 20 s */
  startTimeoutMs?: number;
  /** where Asterisk's console output goes; default <scratch>/console.log */
  console?: 'inherit' | 'file';
}

export interface LocalAsterisk {
  ariUrl: string;
  httpPort: number;
  sipPort: number;
  ariUsername: string;
  ariPassword: string;
  sipPassword: string;
  scratch: string;
  /** the generated configuration folder (what the entrypoint wrote) */
  etc: string;
  process: ChildProcess;
  /** `asterisk -rx CMD`: the CLI's answer */
  rx(command: string): string;
  /** Asterisk's console output so far */
  consoleLog(): string;
  stop(): Promise<void>;
}

/** Runs the container's entrypoint into `etc/` and writes asterisk.conf; throws with its message on failure. */
export function configureAsterisk(o: LocalAsteriskOptions & { scratch: string; httpPort: number; sipPort: number }): { etc: string; data: string; confPath: string } {
  const etc = join(o.scratch, 'etc');
  const data = join(o.scratch, 'data');
  for (const d of [etc, data, join(o.scratch, 'run'), join(o.scratch, 'log'), join(o.scratch, 'spool'), join(o.scratch, 'db'), join(data, 'sounds', o.language ?? 'fa'), join(data, 'moh')]) mkdirSync(d, { recursive: true });
  const r = spawnSync('sh', [join(o.projectRoot, 'docker/asterisk/entrypoint.sh'), 'true'], {
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      IVR_DIALPLAN_DIR: join(o.projectRoot, 'dialplan'),
      ASTERISK_CONFIG_DIR: etc,
      ARI_USERNAME: o.ariUsername ?? 'ivr-1699',
      ARI_PASSWORD: o.ariPassword ?? 'local-ari-secret',
      PJSIP_PASSWORD_DEFAULT: o.sipPassword ?? 'local-sip-secret',
      ASTERISK_HTTP_BINDADDR: '127.0.0.1',
      ASTERISK_HTTP_PORT: String(o.httpPort),
      ASTERISK_SIP_BIND: o.sipBind ?? '127.0.0.1',
      ASTERISK_SIP_PORT: String(o.sipPort),
      ...(o.rtpStart ? { ASTERISK_RTP_START: String(o.rtpStart), ASTERISK_RTP_END: String(o.rtpStart + 199) } : {}),
      ...o.env,
    },
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`the container entrypoint refused the configuration:\n${r.stderr}`);
  if (o.extensionsConf !== undefined) writeFileSync(join(etc, 'extensions.conf'), o.extensionsConf);
  // data folder: links to the install's read-only parts, the project's sounds and hold music
  for (const part of ['rest-api', 'documentation', 'static-http', 'phoneprov', 'keys', 'firmware', 'images']) {
    if (existsSync(join(o.install.data, part))) symlinkSync(join(o.install.data, part), join(data, part));
  }
  symlinkSync(resolve(o.promptsDir ?? join(o.projectRoot, 'prompts/fa')), join(data, 'sounds', o.language ?? 'fa', 'ivr-1699'));
  symlinkSync(join(o.projectRoot, 'docker/moh'), join(data, 'moh', 'ivr-1699'));
  const confPath = join(etc, 'asterisk.conf');
  writeFileSync(
    confPath,
    [
      '; generated by src/asterisk/local.ts: a private Asterisk for tests and testers',
      '[directories]',
      `astetcdir => ${etc}`,
      `astmoddir => ${o.install.modules}`,
      `astvarlibdir => ${data}`,
      `astdatadir => ${data}`,
      `astdbdir => ${join(o.scratch, 'db')}`,
      `astkeydir => ${join(o.scratch, 'db')}`,
      `astspooldir => ${join(o.scratch, 'spool')}`,
      `astrundir => ${join(o.scratch, 'run')}`,
      `astlogdir => ${join(o.scratch, 'log')}`,
      '',
      '[options]',
      'nocolor = yes',
      'verbose = 2',
      // no core dumps from tests, no sending of the dial tone to the console
      'dumpcore = no',
      '',
    ].join('\n'),
  );
  return { etc, data, confPath };
}

export async function startLocalAsterisk(o: LocalAsteriskOptions): Promise<LocalAsterisk> {
  const scratch = o.scratch ?? mkdtempSync(join(tmpdir(), 'ivr-ast-'));
  const httpPort = o.httpPort ?? (await freeTcpPort());
  const sipPort = o.sipPort ?? (await freeSipPort());
  const rtpStart = o.rtpStart ?? 20000 + 200 * Math.floor(Math.random() * 200);
  const ariUsername = o.ariUsername ?? 'ivr-1699';
  const ariPassword = o.ariPassword ?? 'local-ari-secret';
  const sipPassword = o.sipPassword ?? 'local-sip-secret';
  const { etc, confPath } = configureAsterisk({ ...o, scratch, httpPort, sipPort, rtpStart, ariUsername, ariPassword, sipPassword });
  const logPath = join(scratch, 'console.log');
  const out = o.console === 'inherit' ? 'inherit' : openSync(logPath, 'a');
  const child = spawn(o.install.binary, ['-C', confPath, '-f', '-n'], { stdio: ['ignore', out, out], env: { ...process.env, HOME: scratch } });
  if (typeof out === 'number') closeSync(out);
  let exited: number | null | undefined;
  child.once('exit', (code) => (exited = code));
  const rx = (command: string) => {
    const r = spawnSync(o.install.binary, ['-C', confPath, '-rx', command], { encoding: 'utf8', timeout: 10_000 });
    return `${r.stdout ?? ''}${r.stderr ?? ''}`;
  };
  const consoleLog = () => (existsSync(logPath) ? readFileSync(logPath, 'utf8') : '');
  const stop = async () => {
    if (exited === undefined) {
      rx('core stop now');
      const gone = await waitExit(child, 5000);
      if (!gone) {
        child.kill('SIGKILL');
        await waitExit(child, 5000);
      }
    }
    if (!o.keep) rmSync(scratch, { recursive: true, force: true });
  };
  const ariUrl = `http://127.0.0.1:${httpPort}`;
  const deadline = Date.now() + (o.startTimeoutMs ?? 20_000);
  const auth = 'Basic ' + Buffer.from(`${ariUsername}:${ariPassword}`).toString('base64');
  let last = '';
  while (Date.now() < deadline) {
    if (exited !== undefined) break;
    try {
      const r = await fetch(`${ariUrl}/ari/asterisk/info`, { headers: { authorization: auth }, signal: AbortSignal.timeout(1000) });
      if (r.status === 200) {
        // ARI answers before PJSIP has read its configuration: wait for the transports too
        if (/transport-udp/.test(rx('pjsip show transports'))) {
          return { ariUrl, httpPort, sipPort, ariUsername, ariPassword, sipPassword, scratch, etc, process: child, rx, consoleLog, stop };
        }
      }
      last = `HTTP ${r.status}`;
    } catch (e) {
      last = (e as Error).message;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  const log = consoleLog();
  await stop().catch(() => undefined);
  throw new Error(`Asterisk (${o.install.source}) did not serve ARI on ${ariUrl} (${exited !== undefined ? `exited with ${exited}` : last}); its console:\n${log.split('\n').slice(-40).join('\n')}`);
}

function waitExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((res) => {
    const t = setTimeout(() => res(false), ms);
    child.once('exit', () => {
      clearTimeout(t);
      res(true);
    });
  });
}

/** Lines of Asterisk's console that a reader of the log would worry about (warnings, errors). */
export function worryingLines(console: string): string[] {
  return console.split('\n').filter((l) => /\b(WARNING|ERROR)\[/.test(l));
}
