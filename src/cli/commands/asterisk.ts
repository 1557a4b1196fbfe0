/**
 * `ivr-1699 asterisk`: a tester's Asterisk without Docker. Runs an unpacked Asterisk 22
 * (src/asterisk/local.ts: ASTERISK_HOME, .asterisk/, or PATH) with the project's dialplan/,
 * configured by the container's own entrypoint, in a scratch folder; prints the ARI URL, the SIP
 * address and the accounts, and stops Asterisk cleanly on Ctrl-C / SIGTERM.
 */
import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../app/stack.ts';
import { findAsterisk, startLocalAsterisk } from '../../asterisk/local.ts';
import { loadConfig as loadAsteriskConfig, resolveTemplates, sectionValues } from '../../dialplan/config-parser.ts';
import { parseOptions, UsageError } from '../usage-error.ts';

export const summary = 'run an unpacked Asterisk 22 with dialplan/ for testers (no Docker)';

const HELP = `usage: ivr-1699 asterisk [--home DIR] [--http-port N] [--sip-port N] [--sip-bind ADDR]
                         [--sip-password P] [--ari-password P] [--console] [--keep]

Runs Asterisk 22 in the foreground with the project's dialplan/ (written by the container's
entrypoint docker/asterisk/entrypoint.sh), its run, log and voicemail folders in a scratch folder.
Stop it with Ctrl-C.

  --home DIR         the unpacked Asterisk (sbin/asterisk, lib/asterisk/modules, var/lib/asterisk);
                     default ASTERISK_HOME, then .asterisk/asterisk-*, then asterisk on PATH
  --http-port N      ARI (HTTP) port on 127.0.0.1 (default 8088)
  --sip-port N       SIP port, UDP and TCP (default 5060)
  --sip-bind ADDR    SIP address (default 127.0.0.1; 0.0.0.0 for softphones on other machines)
  --sip-password P   password of every SIP account, 10 characters or more
                     (default PJSIP_PASSWORD_DEFAULT, else a random one, printed)
  --ari-password P   ARI password (default ARI_PASSWORD, else a random one, printed);
                     the ARI user is ARI_USERNAME or ivr-1699
  --console          Asterisk's console output here instead of <scratch>/console.log
  --keep             keep the scratch folder (logs, voicemail messages) after stopping

Then connect the service in another terminal with the ARI_URL=… line it prints, and register a
softphone with one of the accounts (README "Testing from a SIP softphone").`;

export async function run(argv: string[]): Promise<number> {
  const { values } = parseOptions({
    args: argv,
    options: {
      home: { type: 'string' },
      'http-port': { type: 'string' },
      'sip-port': { type: 'string' },
      'sip-bind': { type: 'string' },
      'sip-password': { type: 'string' },
      'ari-password': { type: 'string' },
      console: { type: 'boolean' },
      keep: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(HELP + '\n');
    return 0;
  }
  const httpPort = port(values['http-port'], '--http-port', 8088);
  const sipPort = port(values['sip-port'], '--sip-port', 5060);
  const sipBind = values['sip-bind'] ?? '127.0.0.1';
  if (!/^[0-9.]+$|^[0-9A-Fa-f:]+$/.test(sipBind)) throw new UsageError(`--sip-bind '${sipBind}' is not an IP address`);
  const sipPassword = values['sip-password'] ?? (process.env.PJSIP_PASSWORD_DEFAULT || randomBytes(9).toString('base64url'));
  if (sipPassword.length < 10) throw new UsageError('--sip-password must have 10 characters or more (SIP accounts are attacked by scanners within minutes)');
  const ariUsername = process.env.ARI_USERNAME || 'ivr-1699';
  const ariPassword = values['ari-password'] ?? (process.env.ARI_PASSWORD || randomBytes(9).toString('base64url'));

  const install = findAsterisk(values.home ? { ...process.env, ASTERISK_HOME: values.home } : process.env, PROJECT_ROOT);
  if ('missing' in install) throw new Error(install.missing);
  await mustBeFree(httpPort, '127.0.0.1', false, '--http-port');
  await mustBeFree(sipPort, sipBind, true, '--sip-port');

  // Ctrl-C / SIGTERM while Asterisk starts: stop it once it is up, never leave it running alone
  let signalled: string | undefined;
  let onSignal: (sig: string) => void = (sig) => {
    signalled = sig;
  };
  const handler = (sig: NodeJS.Signals) => onSignal(sig);
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  process.stderr.write(`ivr-1699 asterisk: starting ${install.source} …\n`);
  const ast = await startLocalAsterisk({
    install,
    projectRoot: PROJECT_ROOT,
    httpPort,
    sipPort,
    sipBind,
    ariUsername,
    ariPassword,
    sipPassword,
    keep: values.keep,
    console: values.console ? 'inherit' : 'file',
  });
  const accounts = phoneAccounts(join(ast.etc, 'pjsip.conf'), join(ast.etc, 'queues.conf'));
  process.stdout.write(
    [
      `Asterisk is running with dialplan/ (${install.source})`,
      `  scratch   ${ast.scratch}${values.console ? '' : ` (console: ${join(ast.scratch, 'console.log')})`}${values.keep ? ', kept after stopping' : ', removed after stopping'}`,
      `  ARI       ${ast.ariUrl}  user ${ariUsername}  password ${ariPassword}`,
      `  SIP       ${sipBind}:${sipPort} UDP and TCP, every account's password: ${sipPassword}`,
      `  testers   ${accounts.testers.join(' ')}  (dial 1699; 600 is an echo test)`,
      ...accounts.agents.map((a) => `  agent     ${a.name.padEnd(11)} ${a.queues.join(', ')}`),
      '',
      'Connect the IVR service (another terminal):',
      `  ARI_URL=${ast.ariUrl} ARI_USERNAME=${ariUsername} ARI_PASSWORD=${ariPassword} npx ivr-1699 serve`,
      'Stop with Ctrl-C.',
      '',
    ].join('\n'),
  );
  const code = await new Promise<number>((resolve) => {
    let stopping = false;
    onSignal = (sig: string) => {
      if (stopping) return;
      stopping = true;
      process.stderr.write(`ivr-1699 asterisk: ${sig}: stopping Asterisk\n`);
      void ast.stop().then(
        () => resolve(0),
        (e: unknown) => {
          process.stderr.write(`ivr-1699 asterisk: could not stop Asterisk cleanly: ${e instanceof Error ? e.message : String(e)}\n`);
          resolve(1);
        },
      );
    };
    ast.process.once('exit', (c, s) => {
      if (stopping) return;
      stopping = true;
      process.stderr.write(`ivr-1699 asterisk: Asterisk exited on its own (${s ?? `code ${c}`}); its console is in ${join(ast.scratch, 'console.log')}\n`);
      resolve(1);
    });
    if (signalled) onSignal(signalled);
  });
  process.off('SIGINT', handler);
  process.off('SIGTERM', handler);
  return code;
}

function port(v: string | undefined, name: string, fallback: number): number {
  if (v === undefined) return fallback;
  if (!/^\d+$/.test(v) || Number(v) < 1 || Number(v) > 65535) throw new UsageError(`${name} '${v}' is not a port number (1-65535)`);
  return Number(v);
}

/** Fails with a clear line when something else already listens there (Asterisk would only log it). */
async function mustBeFree(p: number, host: string, udpToo: boolean, option: string): Promise<void> {
  const tcp = await new Promise<string | null>((res) => {
    const s = createServer();
    s.once('error', (e: NodeJS.ErrnoException) => res(e.code ?? e.message));
    s.listen(p, host, () => s.close(() => res(null)));
  });
  const udp = !udpToo
    ? null
    : await new Promise<string | null>((res) => {
        const u = createSocket(host.includes(':') ? 'udp6' : 'udp4');
        u.once('error', (e: NodeJS.ErrnoException) => res(e.code ?? e.message));
        u.bind(p, host, () => u.close(() => res(null)));
      });
  const err = tcp ?? udp;
  if (err) throw new UsageError(`port ${p} on ${host} is not free (${err}${udp && !tcp ? ', UDP' : ''}): choose another with ${option}`);
}

/** The SIP accounts of pjsip.conf, agents with the queues they are members of (queues.conf). */
export function phoneAccounts(pjsipConf: string, queuesConf: string): { testers: string[]; agents: { name: string; queues: string[] }[] } {
  const pjsip = resolveTemplates(loadAsteriskConfig(pjsipConf)).sections;
  const auths = pjsip.filter((s) => !s.template && s.name.endsWith('-auth') && s.entries.some((e) => e.key === 'type' && e.value === 'auth')).map((s) => s.name.slice(0, -'-auth'.length));
  const queues = resolveTemplates(loadAsteriskConfig(queuesConf)).sections.filter((s) => !s.template && s.name !== 'general');
  const memberOf = (account: string) => queues.filter((q) => sectionValues(q, 'member').some((m) => m.value.split(',')[0] === `PJSIP/${account}`)).map((q) => q.name);
  return {
    testers: auths.filter((a) => !memberOf(a).length),
    agents: auths.filter((a) => memberOf(a).length).map((name) => ({ name, queues: memberOf(name) })),
  };
}
