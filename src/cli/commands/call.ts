/**
 * `ivr-1699 call`: places one test call as a black-box caller over real ARI (HTTP + WebSocket).
 * Without --ari-url it starts the built-in switch and the service in this process first (with
 * --data loaded and the clock at --now); with --ari-url it calls into that switch or Asterisk.
 */
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { AriClient } from '../../ari/client.ts';
import { startStack, PROJECT_ROOT, type Stack } from '../../app/stack.ts';
import { parseKeys, KeyScriptError, type KeyGroup } from '../../caller/keys.ts';
import { TestCall } from '../../caller/test-caller.ts';
import type { CallReport } from '../../caller/report.ts';
import { loadConfig } from '../../config/load.ts';
import { createLogger } from '../../log/logger.ts';
import { SOUND_FOLDER } from '../../speech/compose.ts';
import { loadCatalogue } from '../../speech/catalogue.ts';
import { parseOptions, UsageError } from '../usage-error.ts';

export const summary = 'place one test call (scripted with --keys, or interactive)';

const HELP = `usage: ivr-1699 call [--keys "…"] [--caller N] [--data FILE] [--now ISO] [--ari-url URL] [--json]

  --keys "…"     groups separated by spaces, each keyed when the IVR next listens:
                 DTMF 0-9 * #, "w" waits (the IVR's timeout acts), "h" hangs up.
                 Without --keys the call is interactive: each key goes as you press it (on a terminal;
                 piped input: a line at a time), h or Ctrl-C hangs up.
  --caller N     caller ID number (default 09121234567)
  --data FILE    order data for the in-process IVR (data-file contract); default: demo data
  --now ISO      the in-process IVR's clock starts at this instant
  --ari-url URL  call into this switch/Asterisk (with the service connected) instead of in-process
  --speed N      in-process only: run prompts and timeouts N times faster (default: 1, real time,
                 for an interactive call; 20 with --keys)
  --timeout MS   give up after this long (default 180000)
  --json         print one JSON object (prompts, decisions, requests, variables, outcome, durationMs)
  --username/--password  ARI credentials (default ARI_USERNAME/ARI_PASSWORD or asterisk/asterisk)
  --context C    entry context (default ivr-inbound)`;

export async function run(argv: string[]): Promise<number> {
  const { values } = parseOptions({
    args: argv,
    options: {
      keys: { type: 'string' },
      caller: { type: 'string', default: '09121234567' },
      data: { type: 'string' },
      now: { type: 'string' },
      'ari-url': { type: 'string' },
      speed: { type: 'string' },
      timeout: { type: 'string', default: '180000' },
      json: { type: 'boolean', default: false },
      username: { type: 'string' },
      password: { type: 'string' },
      context: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(HELP + '\n');
    return 0;
  }
  let keys: KeyGroup[] | undefined;
  try {
    keys = values.keys !== undefined ? parseKeys(values.keys) : undefined;
  } catch (e) {
    if (e instanceof KeyScriptError) throw new UsageError(e.message);
    throw e;
  }
  if (!/^\+?\d{0,15}$/.test(values.caller)) throw new UsageError(`--caller: "${values.caller}" is not a phone number`);
  const timeoutMs = Number(values.timeout);
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) throw new UsageError('--timeout: give milliseconds, e.g. 60000');
  // a person at the keyboard needs the IVR's real timeouts; a script does not wait for anyone
  const speed = values.speed === undefined ? (keys === undefined ? 1 : 20) : Number(values.speed);
  if (!Number.isFinite(speed) || speed < 0.1 || speed > 1000) throw new UsageError('--speed: a number from 0.1 to 1000 (1 = real time)');
  if (values['ari-url'] && (values.data || values.now)) {
    throw new UsageError('--data and --now set up the in-process IVR; with --ari-url the IVR is the service already running there');
  }

  // in-process calls use the built-in switch whatever ARI_URL says; a ConfigError is printed by the dispatcher
  const config = loadConfig({ env: { ...process.env, ...(values['ari-url'] ? {} : { ARI_URL: '' }) } });
  const logger = createLogger({ level: process.env.LOG_LEVEL ?? 'warn' });
  const username = values.username ?? config.service.ari.username;
  const password = values.password ?? config.service.ari.password;

  let stack: Stack | undefined;
  let ariUrl = values['ari-url'];
  if (!ariUrl) {
    stack = await startStack({
      config,
      logger,
      ...(values.data ? { dataFile: resolve(values.data) } : { memoryStore: true }),
      ...(values.now ? { now: values.now } : {}),
      timeScale: 1 / speed,
      switchPort: 0,
      httpPort: false,
    });
    await stack.service.ready;
    ariUrl = stack.ariUrl;
  }

  const app = `ivr-1699-caller-${process.pid}`;
  let client: AriClient | undefined;
  try {
    client = await AriClient.connect({ url: ariUrl, username, password, app, logger, connectTimeoutMs: 5000 });
    const interactive = keys === undefined;
    const texts = interactive ? promptTexts() : undefined;
    const call = new TestCall(
      client,
      {
        app,
        context: values.context ?? config.service.entry.context,
        extension: config.service.entry.extension,
        callerId: values.caller,
        ...(keys ? { keys } : {}),
        agentsContext: config.routing.agentsContext,
        mediaPrefix: SOUND_FOLDER,
        timeoutMs,
      },
      interactive || !values.json
        ? {
            prompt: (n) => process.stderr.write(`♪ ${n}${texts?.get(n) ? `  «${texts.get(n)}»` : ''}\n`),
            listening: (node) => process.stderr.write(`… listening at ${node}\n`),
          }
        : {},
    );
    // interactive: on a terminal each key goes out as it is pressed (like a phone's keypad);
    // from a pipe, a line of keys at a time. h (or Ctrl-C) hangs up.
    let stopInput = () => {};
    if (interactive) {
      const stdin = process.stdin;
      if (stdin.isTTY) {
        process.stderr.write('keys 0-9 * # are sent as you press them; h or Ctrl-C hangs up\n');
        stdin.setRawMode(true);
        stdin.resume();
        const onData = (buf: Buffer) => {
          for (const ch of buf.toString('utf8')) {
            if (ch === '\u0003' || ch === 'h') call.sendKeys('h');
            else if (/^[0-9*#]$/.test(ch)) call.sendKeys(ch);
          }
        };
        stdin.on('data', onData);
        stopInput = () => {
          stdin.off('data', onData);
          stdin.setRawMode(false);
          stdin.pause();
        };
      } else {
        const rl = createInterface({ input: stdin });
        rl.on('line', (line) => {
          const k = line.trim();
          if (k === 'h' || /^[0-9*#]+$/.test(k)) call.sendKeys(k);
          else if (k) process.stderr.write('keys are 0-9 * #, or h to hang up\n');
        });
        stopInput = () => rl.close();
      }
    }
    const report = await call.start().finally(() => stopInput());
    printReport(report, values.json);
    return 0;
  } finally {
    await client?.close();
    await stack?.stop();
  }
}

function promptTexts(): Map<string, string> {
  const m = new Map<string, string>();
  try {
    const cat = loadCatalogue(resolve(PROJECT_ROOT, 'prompts/fa/catalogue'));
    for (const [name, e] of cat.entries) m.set(name, e.text);
  } catch {
    // texts are a convenience for the interactive caller; names are shown anyway
  }
  return m;
}

function printReport(r: CallReport, json: boolean): void {
  if (json) {
    process.stdout.write(JSON.stringify(r) + '\n');
    return;
  }
  const out = [
    `prompts:   ${r.prompts.join(', ')}`,
    `nodes:     ${r.nodes.join(' → ')}`,
    ...r.decisions.map((d) => `decision:  ${d.rule} ${d.outcome}`),
    ...r.requests.map((q) => `request:   ${q.type} for ${q.unit}, number ${q.number}`),
    `outcome:   ${r.outcome.kind === 'transfer' ? `transfer to ${r.outcome.skill}` : `hangup (${r.outcome.reason})`}`,
    `duration:  ${r.durationMs} ms`,
  ];
  process.stdout.write(out.join('\n') + '\n');
}
