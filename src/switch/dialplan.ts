/**
 * The switch's own small dialplan (configuration of the switch, like extensions.conf) and a
 * tiny interpreter that runs it on a channel, sending ChannelDialplan / ChannelVarset events
 * as Asterisk does. Two styles:
 *
 * 'project' (default) mirrors dialplan/extensions.conf (test/switch/dialplan-mirror.test.ts
 * keeps the two in step):
 *   [<entryContext>]                     ; default ivr-inbound
 *   exten => 1699,1,NoOp(1699 call from *${CALLERID(num):-4} on ${CHANNEL(name)})
 *    same => n,Set(CHANNEL(language)=fa)
 *    same => n,Set(TIMEOUT(absolute)=${IVR_WATCHDOG})   ; the service pushes it forward while alive
 *    same => n,Stasis(<ivrApp>,inbound)   ; fails at once (STASISSTATUS=FAILED) when the app has no WebSocket
 *    same => n,Verbose(1,IVR did not take the call from *${CALLERID(num):-4}: STASISSTATUS=${STASISSTATUS} - to the general queue)
 *    same => n,ExecIf($["${STASISSTATUS}" = "FAILED"]?Set(__IVR_OUTCOME=ivr-unavailable))
 *    same => n,Goto(<agentsContext>,<failoverExtension>,1)      ; failoverExtension null: Hangup()
 *   exten => T,1,Verbose(…)             ; the watchdog fired: the service is gone
 *    same => n,Set(__IVR_OUTCOME=ivr-unavailable)
 *    same => n,ExecIf($["${CUT(IVR_STATE,|,3)}" != ""]?Set(__IVR_TOPIC=${CUT(IVR_STATE,|,3)}))  ; … each value in IVR_STATE
 *    same => n,Goto(<agentsContext>,<failoverExtension>,1)
 *   [<agentsContext>]                    ; default agents; any skill as extension
 *   exten => <skill>,1,NoOp(queue <skill> topic=${IVR_TOPIC} rule=${IVR_RULE} outcome=${IVR_OUTCOME})
 *    same => n,Gosub(agents-common,s,1(<skill>))   ; disarms the watchdog, sets __IVR_SKILL (if empty), __IVR_QUEUE_SKILL, answers
 *    same => n,Queue(<skill>,…,<queueHoldMs/1000>,…)  ; no agents here: the caller waits, then
 *    same => n,Hangup()                   ; (the real dialplan overflows to the general queue and voicemail)
 *
 * 'recorded' mirrors the dialplan of the Asterisk the ARI traces were recorded on:
 *   exten => 1699,1,Set(CHANNEL(language)=<language>)
 *    same => n,Stasis(<ivrApp>,inbound)
 *    same => n,NoOp(STASISSTATUS=${STASISSTATUS})
 *    same => n,Hangup()
 *   [<agentsContext>] exten => <skill>,1,NoOp(queue ${EXTEN} nid=${IVR_NATIONAL_ID})
 *    same => n,Wait(<queueHoldMs/1000>)
 *    same => n,Hangup()
 *
 * In both, the call's arrival at <agentsContext>,<skill>,1 is recorded as a transfer.
 */
import type { Channel } from './channels.ts';
import type { SwitchCore } from './core.ts';
import { answerNow, enterStasis, hangupChannel } from './lifecycle.ts';
import { ABSOLUTE_TIMEOUT, setAbsoluteTimeout } from './absolute-timeout.ts';

export interface DialplanTarget {
  context: string;
  exten: string;
  priority: number;
}

type StepResult = { kind: 'next' } | { kind: 'goto'; target: DialplanTarget } | { kind: 'end' };

interface Step {
  app: string;
  /** application data before `${…}` expansion */
  data: string;
}

const SKILL_EXTEN = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;

/** IVR_STATE fields (counted from 1 as CUT does) the watchdog extension unpacks for the agent */
const UNPACKED_STATE: [string, number][] = [['TOPIC', 3], ['NATIONAL_ID', 4], ['ORDER_NUMBER', 5], ['RULE', 6], ['REQUEST_TYPE', 8], ['REQUEST_UNIT', 9], ['REQUEST_NUMBER', 10]];

/** Context of the subroutine the agents extensions call (as in dialplan/extensions.conf). */
export const AGENTS_COMMON = 'agents-common';

/** The steps of `exten` in `context`, or undefined when the extension does not exist. */
export function extensionSteps(core: SwitchCore, context: string, exten: string): Step[] | undefined {
  const o = core.opts;
  const holdS = String(o.queueHoldMs / 1000);
  if (context === o.entryContext && exten === o.entryExtension) {
    if (o.dialplanStyle === 'recorded') {
      return [
        { app: 'Set', data: `CHANNEL(language)=${o.language}` },
        { app: 'Stasis', data: `${o.ivrApp},inbound` },
        { app: 'NoOp', data: 'STASISSTATUS=${STASISSTATUS}' },
        { app: 'Hangup', data: '' },
      ];
    }
    const notTaken = 'IVR did not take the call from *${CALLERID(num):-4}: STASISSTATUS=${STASISSTATUS}';
    const failsafe: Step[] =
      o.failoverExtension !== null
        ? [
            { app: 'Verbose', data: `1,${notTaken} - to the ${o.failoverExtension} queue` },
            { app: 'ExecIf', data: '$["${STASISSTATUS}" = "FAILED"]?Set(__IVR_OUTCOME=ivr-unavailable)' },
            { app: 'Goto', data: `${o.agentsContext},${o.failoverExtension},1` },
          ]
        : [
            { app: 'Verbose', data: `1,${notTaken} - hanging up` },
            { app: 'Hangup', data: '' },
          ];
    return [
      { app: 'NoOp', data: `${o.entryExtension} call from *\${CALLERID(num):-4} on \${CHANNEL(name)}` },
      { app: 'Set', data: `CHANNEL(language)=${o.language}` },
      { app: 'Set', data: `${ABSOLUTE_TIMEOUT}=\${IVR_WATCHDOG}` },
      { app: 'Stasis', data: `${o.ivrApp},inbound` },
      ...failsafe,
    ];
  }
  if (context === o.entryContext && exten === 'T' && o.dialplanStyle === 'project' && o.failoverExtension !== null) {
    return [
      { app: 'Verbose', data: `1,IVR service silent for \${IVR_WATCHDOG} s on the call from *\${CALLERID(num):-4} - to the ${o.failoverExtension} queue` },
      { app: 'Set', data: '__IVR_OUTCOME=ivr-unavailable' },
      // what the caller keyed, from IVR_STATE (src/flow/resume.ts), for the agent
      ...UNPACKED_STATE.map(([name, field]): Step => ({ app: 'ExecIf', data: `$["\${CUT(IVR_STATE,|,${field})}" != ""]?Set(__IVR_${name}=\${CUT(IVR_STATE,|,${field})})` })),
      { app: 'Goto', data: `${o.agentsContext},${o.failoverExtension},1` },
    ];
  }
  if (context === o.agentsContext && SKILL_EXTEN.test(exten)) {
    if (o.dialplanStyle === 'recorded') {
      return [
        { app: 'NoOp', data: 'queue ${EXTEN} nid=${IVR_NATIONAL_ID}' },
        { app: 'Wait', data: holdS },
        { app: 'Hangup', data: '' },
      ];
    }
    return [
      { app: 'NoOp', data: `queue ${exten} topic=\${IVR_TOPIC} rule=\${IVR_RULE} outcome=\${IVR_OUTCOME}` },
      { app: 'Gosub', data: `${AGENTS_COMMON},s,1(${exten})` },
      { app: 'Queue', data: `${exten},tb(ivr-agent-predial^s^1),,,${holdS},,ivr-agent-connected` },
      { app: 'Hangup', data: '' },
    ];
  }
  if (context === AGENTS_COMMON && exten === 's' && o.dialplanStyle === 'project') {
    return [
      { app: 'Set', data: `${ABSOLUTE_TIMEOUT}=0` },
      {
        app: 'Verbose',
        data: '2,to ${ARG1}: topic=${IVR_TOPIC} id=*${IVR_NATIONAL_ID:-4} order=${IVR_ORDER_NUMBER} rule=${IVR_RULE}/${IVR_OUTCOME} request=${IVR_REQUEST_TYPE}:${IVR_REQUEST_NUMBER}',
      },
      { app: 'ExecIf', data: '$["${IVR_SKILL}" = ""]?Set(__IVR_SKILL=${ARG1})' },
      { app: 'Set', data: '__IVR_QUEUE_SKILL=${ARG1}' },
      { app: 'Answer', data: '' },
      { app: 'Return', data: '' },
    ];
  }
  return undefined;
}

export function extensionExists(core: SwitchCore, context: string, exten: string): boolean {
  return extensionSteps(core, context, exten) !== undefined;
}

/** The project dialplan's [globals] as the switch models them (also what ARI's GET /asterisk/variable reads). */
export function dialplanGlobals(core: SwitchCore): Readonly<Record<string, string>> {
  return { IVR_WATCHDOG: String(core.opts.watchdogSeconds) };
}

/** `${VAR}` expansion, then `$[ "a" = "b" ]` expressions → 1 / 0 */
function expandData(core: SwitchCore, ch: Channel, data: string): string {
  return ch
    .expand(data, dialplanGlobals(core))
    .replace(/\$\[\s*"([^"]*)"\s*(=|!=)\s*"([^"]*)"\s*\]/g, (_m, a: string, op: string, b: string) =>
      (op === '=' ? a === b : a !== b) ? '1' : '0',
    );
}

/** Splits on `sep` outside parentheses and brackets. */
function splitTopLevel(s: string, sep: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const c of s) {
    if (c === '(' || c === '[') depth++;
    else if ((c === ')' || c === ']') && depth > 0) depth--;
    if (c === sep && depth === 0) {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out;
}

function parseTarget(ch: Channel, spec: string): DialplanTarget {
  const parts = spec.split(',');
  if (parts.length >= 3) return { context: parts[0] ?? '', exten: parts[1] ?? '', priority: Number(parts[2]) || 1 };
  if (parts.length === 2) return { context: ch.dialplan.context, exten: parts[0] ?? '', priority: Number(parts[1]) || 1 };
  return { context: ch.dialplan.context, exten: ch.dialplan.exten, priority: Number(parts[0]) || 1 };
}

async function exec(core: SwitchCore, ch: Channel, app: string, data: string): Promise<StepResult> {
  switch (app) {
    case 'Set': {
      const eq = data.indexOf('=');
      if (eq > 0) {
        const name = data.slice(0, eq);
        const value = data.slice(eq + 1);
        if (name === ABSOLUTE_TIMEOUT) setAbsoluteTimeout(core, ch, value);
        else ch.setVar(name, value);
        if (!name.includes('(')) core.varsetEvent(ch, name, value);
      }
      return { kind: 'next' };
    }
    case 'NoOp':
      if (ch.dialplan.context === core.opts.agentsContext && ch.dialplan.priority === 1) {
        core.recordTransfer({
          channelId: ch.id,
          callerChannelId: ch.half === 2 && ch.peer ? ch.peer.id : null,
          skill: ch.dialplan.exten,
          variables: Object.fromEntries(ch.vars),
          at: new Date().toISOString(),
        });
      }
      return { kind: 'next' };
    case 'GotoIf': {
      const q = data.indexOf('?');
      const cond = data.slice(0, q < 0 ? data.length : q).trim();
      const [yes = '', no = ''] = (q < 0 ? '' : data.slice(q + 1)).split(':');
      const truthy = cond !== '' && cond !== '0';
      const spec = truthy ? yes : no;
      return spec === '' ? { kind: 'next' } : { kind: 'goto', target: parseTarget(ch, spec) };
    }
    case 'Wait': {
      const done = await core.clock.sleep(Number(data) * 1000, ch.hangupSignal.signal);
      return done ? { kind: 'next' } : { kind: 'end' };
    }
    case 'Queue': {
      // no agents here: the caller waits for the queue's timeout (5th argument, seconds)
      const timeoutS = Number(data.split(',')[4] ?? '0');
      const done = await core.clock.sleep(timeoutS * 1000, ch.hangupSignal.signal);
      return done ? { kind: 'next' } : { kind: 'end' };
    }
    case 'Answer':
      answerNow(core, ch);
      return { kind: 'next' };
    case 'Goto':
      return { kind: 'goto', target: parseTarget(ch, data) };
    case 'ExecIf': {
      // ExecIf(<expr>?App(args)[:App(args)]) — data is already expanded
      const q = data.indexOf('?');
      if (q < 0) return { kind: 'next' };
      const [yes = '', no = ''] = splitTopLevel(data.slice(q + 1), ':');
      const call = data.slice(0, q).trim() !== '' && data.slice(0, q).trim() !== '0' ? yes : no;
      const m = /^\s*(\w+)\((.*)\)\s*$/.exec(call);
      if (m) await exec(core, ch, m[1] ?? '', m[2] ?? '');
      return { kind: 'next' };
    }
    case 'Gosub': {
      const m = /^([^(]*)(?:\((.*)\))?$/.exec(data);
      const target = parseTarget(ch, m?.[1] ?? '');
      const args = m?.[2] !== undefined ? splitTopLevel(m[2], ',') : [];
      ch.frames.push({ ret: { context: ch.dialplan.context, exten: ch.dialplan.exten, priority: ch.dialplan.priority + 1 }, args });
      return { kind: 'goto', target };
    }
    case 'Return': {
      const frame = ch.frames.pop();
      return frame ? { kind: 'goto', target: frame.ret } : { kind: 'end' };
    }
    case 'Hangup':
      hangupChannel(core, ch, { requestCause: 16, soft: true, cause: 16 });
      return { kind: 'end' };
    case 'Stasis': {
      const [appName = '', ...args] = data.split(',');
      ch.setVar('STASISSTATUS', '');
      core.varsetEvent(ch, 'STASISSTATUS', '');
      if (!core.hub.isActive(appName)) {
        core.log?.warn({ app: appName, channel: ch.id }, 'switch: Stasis app not connected, STASISSTATUS=FAILED');
        ch.setVar('STASISSTATUS', 'FAILED');
        core.varsetEvent(ch, 'STASISSTATUS', 'FAILED');
        return { kind: 'next' };
      }
      const exited = ch.waitStasisExit();
      enterStasis(core, ch, appName, args);
      const e = await exited;
      if (e.kind === 'hangup' || !ch.alive || ch.hangingUp) return { kind: 'end' };
      ch.setVar('STASISSTATUS', 'SUCCESS');
      core.varsetEvent(ch, 'STASISSTATUS', 'SUCCESS');
      return { kind: 'goto', target: { context: e.context, exten: e.exten, priority: e.priority } };
    }
    default:
      return { kind: 'next' };
  }
}

/** Runs the dialplan on `ch` from `start` until the channel hangs up. */
export async function runPbx(core: SwitchCore, ch: Channel, start: DialplanTarget): Promise<void> {
  ch.hasPbx = true;
  let at = { ...start };
  while (ch.alive && !ch.hangingUp && core.running) {
    const step = extensionSteps(core, at.context, at.exten)?.[at.priority - 1];
    if (!step) {
      // end of the extension (or no such extension): Asterisk hangs the channel up
      core.log?.debug({ channel: ch.id, ...at }, 'switch: dialplan ended');
      hangupChannel(core, ch, { requestCause: 16, soft: true, cause: 16 });
      return;
    }
    ch.setDialplan({ context: at.context, exten: at.exten, priority: at.priority, app_name: step.app, app_data: '' });
    const data = expandData(core, ch, step.data);
    ch.setDialplan({ app_data: data });
    core.channelEvent('ChannelDialplan', ch, { dialplan_app: step.app, dialplan_app_data: data });
    const r = await exec(core, ch, step.app, data);
    if (r.kind === 'end') return;
    at = r.kind === 'goto' ? r.target : { ...at, priority: at.priority + 1 };
  }
}
