import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { RoutingConfig } from '../../src/config/routing.ts';
import { checkDialplan, dialplanSounds } from '../../src/dialplan/check.ts';

const repoDialplan = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'dialplan');
const routing = RoutingConfig.parse(undefined);

/** A copy of the repository's dialplan/ in a temp dir (named dialplan, like the original). */
function copy(): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'ivr-check-')), 'dialplan');
  cpSync(repoDialplan, dir, { recursive: true });
  return dir;
}
const edit = (dir: string, file: string, f: (s: string) => string): void => {
  const p = join(dir, file);
  const before = readFileSync(p, 'utf8');
  const after = f(before);
  if (after === before) throw new Error(`edit of ${file} changed nothing`);
  writeFileSync(p, after);
};

describe('checkDialplan', () => {
  it('passes on the repository dialplan/ with the default routing table', () => {
    expect(checkDialplan({ dir: repoDialplan, routing })).toEqual([]);
  });

  it('names the skill whose queue is missing from queues.conf', () => {
    const dir = copy();
    edit(dir, 'queues.conf', (s) => s.replace('[finance](skill-queue,team-finance,backup-general)\n', ''));
    expect(checkDialplan({ dir, routing })).toEqual([
      "dialplan/queues.conf: skill 'finance' has no queue [finance]; add a [finance] section (routing.skills.finance.queue)",
    ]);
  });

  it('names a missing #include file with its line', () => {
    const dir = copy();
    edit(dir, 'extensions.conf', (s) => s.replace('[globals]\n', '[globals]\n#include globals_site.conf\n'));
    const problems = checkDialplan({ dir, routing });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^dialplan\/extensions\.conf:\d+: #include: file 'globals_site\.conf' not found/);
  });

  it('names an include => of a context that does not exist', () => {
    const dir = copy();
    edit(dir, 'extensions.conf', (s) => s.replace('[from-softphone]\n', '[from-softphone]\ninclude => test-tools\n'));
    expect(checkDialplan({ dir, routing })).toEqual([expect.stringMatching(/^dialplan\/extensions\.conf:\d+: include => test-tools: context \[test-tools\] not found$/)]);
  });

  it('names a skill whose agents extension is missing or runs another queue', () => {
    const dir = copy();
    edit(dir, 'extensions.conf', (s) =>
      s.replace(/exten => festival,1,[^\n]*\n( same => [^\n]*\n)+/, '').replace('Queue(sales,', 'Queue(sales-expert,'),
    );
    const problems = checkDialplan({ dir, routing });
    expect(problems).toContainEqual(expect.stringMatching(/skill 'festival': extension festival not found in \[agents\]$/));
    expect(problems).toContainEqual(expect.stringMatching(/skill 'sales': extension sales in \[agents\] does not run Queue\(sales\)$/));
    // the overflow Goto of the removed extension is gone with it; nothing else is reported
    expect(problems).toHaveLength(2);
  });

  it('follows the routing table: a renamed queue must exist', () => {
    const r = RoutingConfig.parse({ skills: { ...routing.skills, sales: { extension: 'sales', queue: 'sales-tehran' } } });
    expect(checkDialplan({ dir: repoDialplan, routing: r })).toEqual([
      "dialplan/queues.conf: skill 'sales' has no queue [sales-tehran]; add a [sales-tehran] section (routing.skills.sales.queue)",
      expect.stringMatching(/^dialplan\/extensions\.conf:\d+: skill 'sales': extension sales in \[agents\] does not run Queue\(sales-tehran\)$/),
    ]);
  });

  it("refuses 'general' as a queue name: it is app_queue's settings section", () => {
    const r = RoutingConfig.parse({ skills: { ...routing.skills, general: { extension: 'general', queue: 'general' } } });
    const problems = checkDialplan({ dir: repoDialplan, routing: r });
    expect(problems[0]).toMatch(/skill 'general': a queue cannot be named 'general'/);
  });

  it('requires Stasis of the app in the entry extension, with language fa first and a failsafe after it', () => {
    expect(checkDialplan({ dir: repoDialplan, routing, app: 'other-app' })).toEqual([
      expect.stringMatching(/extension 1699 in \[ivr-inbound\] does not run Stasis\(other-app,…\)$/),
    ]);
    expect(checkDialplan({ dir: repoDialplan, routing, entryContext: 'nope' })).toEqual([
      'dialplan/extensions.conf:0: entry context [nope] not found; the test caller dials Local/1699@nope',
    ]);
    const dir = copy();
    edit(dir, 'extensions.conf', (s) => s.replace(' same => n,Set(CHANNEL(language)=fa)\n', '').replace(/ same => n\(failsafe\),Verbose/, ' same => n(failsafe),Hangup()\n same => n,Verbose'));
    const problems = checkDialplan({ dir, routing });
    expect(problems).toContainEqual(expect.stringMatching(/must Set\(CHANNEL\(language\)=fa\) before Stasis\(\)/));
    expect(problems).toContainEqual(expect.stringMatching(/Hangup\(\) right after Stasis\(ivr-1699\) drops the caller/));
  });

  it('names Goto targets, labels and gosub locations that do not exist', () => {
    const dir = copy();
    edit(dir, 'extensions.conf', (s) =>
      s
        .replace('Goto(agents,general,1)', 'Goto(agents,generall,1)')
        .replace('Goto(agents-overflow,finance,1)', 'Goto(agents-overflow,finance,nolabel)')
        .replace('Queue(festival,tb(ivr-agent-predial^s^1)', 'Queue(festival,tb(ivr-agent-predail^s^1)'),
    );
    const problems = checkDialplan({ dir, routing });
    expect(problems).toHaveLength(3);
    expect(problems).toContainEqual(expect.stringMatching(/Goto\(agents,generall,1\): extension generall not found in \[agents\]$/));
    expect(problems).toContainEqual(expect.stringMatching(/Goto\(agents-overflow,finance,nolabel\): label 'nolabel' not found in extension finance of \[agents-overflow\]$/));
    expect(problems).toContainEqual(expect.stringMatching(/Queue\(festival,tb\(ivr-agent-predail\^s\^1\).*\): context \[ivr-agent-predail\] not found$/));
  });

  it('names queue members and Dial targets that are not pjsip.conf endpoints, and broken endpoint references', () => {
    const dir = copy();
    edit(dir, 'queues.conf', (s) => s.replace('member => PJSIP/agent-2009,0,agent-2009', 'member => PJSIP/agent-2099,0,agent-2099'));
    edit(dir, 'extensions.conf', (s) => s.replace(' same => n,Echo()\n', ' same => n,Dial(PJSIP/ghost&PJSIP/tester-01)\n'));
    edit(dir, 'pjsip.conf', (s) => s.replace('auth = tester-03-auth', 'auth = tester-3-auth').replace('[tester-endpoint](!,endpoint-common)\ncontext = from-softphone', '[tester-endpoint](!,endpoint-common)\ncontext = from-softfone'));
    const problems = checkDialplan({ dir, routing });
    expect(problems).toContainEqual(expect.stringMatching(/^dialplan\/queues\.conf:\d+: queue \[festival\] member PJSIP\/agent-2099: endpoint 'agent-2099' is not defined in pjsip\.conf/));
    expect(problems).toContainEqual(expect.stringMatching(/^dialplan\/extensions\.conf:\d+: Dial\(PJSIP\/ghost&PJSIP\/tester-01\): endpoint 'ghost' is not defined/));
    expect(problems).toContainEqual(expect.stringMatching(/^dialplan\/pjsip\.conf:\d+: endpoint 'tester-03': auth=tester-3-auth names no section of type=auth$/));
    for (const t of ['tester-01', 'tester-02', 'tester-03']) {
      expect(problems).toContainEqual(expect.stringMatching(new RegExp(`endpoint '${t}': context 'from-softfone' is not a context of extensions\\.conf$`)));
    }
    expect(problems).toHaveLength(6);
  });

  it('names a voicemail box or a music class that is not configured', () => {
    const dir = copy();
    edit(dir, 'voicemail.conf', (s) => s.replace('festival => ,1699 festival\n', ''));
    edit(dir, 'extensions.conf', (s) => s.replace('VoiceMail(${EXTEN}@ivr-1699,s)', 'VoiceMail(${EXTEN}@ivr-1699&festival@ivr-1699,s)'));
    edit(dir, 'musiconhold.conf', (s) => s.replace('[ivr-1699]', '[default]'));
    const problems = checkDialplan({ dir, routing });
    expect(problems).toContainEqual(expect.stringMatching(/VoiceMail\(festival@ivr-1699\): mailbox festival not found in \[ivr-1699\] of voicemail\.conf$/));
    expect(problems.filter((p) => p.includes("musicclass 'ivr-1699' is not a class of musiconhold.conf"))).toHaveLength(9);
  });

  it('names applications and functions whose module modules.conf does not load', () => {
    const dir = copy();
    edit(dir, 'modules.conf', (s) => s.replace('load = func_callerid.so\n', '').replace('load = app_stack.so\n', '').replace('load = res_pjsip_header_funcs.so\n', ''));
    const problems = checkDialplan({ dir, routing });
    expect(problems).toEqual([
      expect.stringMatching(/^dialplan\/extensions\.conf:\d+: function CALLERID\(\) needs func_callerid\.so, which modules\.conf \(autoload = no\) does not load$/),
      expect.stringMatching(/^dialplan\/extensions\.conf:\d+: application Gosub\(\) needs app_stack\.so/),
      expect.stringMatching(/^dialplan\/extensions\.conf:\d+: function PJSIP_HEADER\(\) needs res_pjsip_header_funcs\.so/),
    ]);
    // with autoload = yes every module is loaded: nothing to report
    edit(dir, 'modules.conf', (s) => s.replace('autoload = no', 'autoload = yes'));
    expect(checkDialplan({ dir, routing })).toEqual([]);
  });

  it('names a module whose dependencies modules.conf does not load, and a module Asterisk 22 does not have', () => {
    const dir = copy();
    // the first dialplan/ shipped exactly this: res_ari without res_websocket_client, and format_g722
    edit(dir, 'modules.conf', (s) => s.replace('load = res_websocket_client.so\n', '').replace('load = format_pcm.so\n', 'load = format_pcm.so\nload = format_g722.so\n'));
    expect(checkDialplan({ dir, routing })).toEqual([
      expect.stringMatching(/^dialplan\/modules\.conf:\d+: format_g722\.so: Asterisk 22 has no format_g722 module: format_pcm\.so reads and writes \.g722 files$/),
      expect.stringMatching(/^dialplan\/modules\.conf:\d+: res_ari\.so requires res_websocket_client\.so, which modules\.conf \(autoload = no\) does not load: Asterisk will refuse to load res_ari\.so$/),
    ]);
    const dir2 = copy();
    edit(dir2, 'modules.conf', (s) => s.replace('load = res_stasis.so\n', '').replace('load = app_echo.so\n', 'load = app_echo.so\nload = app_frobnicate.so\n'));
    const problems = checkDialplan({ dir: dir2, routing });
    expect(problems).toContainEqual(expect.stringMatching(/app_frobnicate\.so is not a module the project knows for Asterisk 22/));
    // every module that requires res_stasis is named, ARI's resources among them
    for (const m of ['app_stasis', 'res_ari', 'res_ari_channels', 'res_stasis_playback']) expect(problems).toContainEqual(expect.stringMatching(new RegExp(`${m}\\.so requires .*res_stasis\\.so`)));
  });

  it("checks http.conf's sessionlimit against the service's REST connections (maxSockets)", () => {
    expect(checkDialplan({ dir: copy(), routing, maxSockets: 256 })).toEqual([]);
    expect(checkDialplan({ dir: copy(), routing, maxSockets: 999 })).toEqual([expect.stringMatching(/http\.conf:\d+: http\.conf sessionlimit is 1000 but the service may open 999 REST connections .*set sessionlimit to at least 1001, or lower ARI_MAX_SOCKETS/)]);
    const stock = copy();
    edit(stock, 'http.conf', (t) => t.replace(/^sessionlimit.*$/m, ''));
    expect(checkDialplan({ dir: stock, routing, maxSockets: 256 })).toEqual([expect.stringMatching(/sessionlimit is not set \(Asterisk's default 100\) but the service may open 256/)]);
    expect(checkDialplan({ dir: stock, routing, maxSockets: 90 })).toEqual([]);
  });

  it("checks the watchdog against the service's watchdogSeconds: armed before Stasis(), same value, a T extension", () => {
    expect(checkDialplan({ dir: copy(), routing, watchdogSeconds: 30 })).toEqual([]);
    expect(checkDialplan({ dir: copy(), routing, watchdogSeconds: 20 })).toEqual([
      expect.stringMatching(/^dialplan\/extensions\.conf:\d+: the watchdog armed before Stasis\(\) is 30 s but the service pushes it to 20 s/),
    ]);
    const noT = copy();
    edit(noT, 'extensions.conf', (s) => s.replace('exten => T,1,', 'exten => t,1,'));
    expect(checkDialplan({ dir: noT, routing, watchdogSeconds: 30 })).toEqual([expect.stringMatching(/\[ivr-inbound\] has no T extension/)]);
    const unarmed = copy();
    edit(unarmed, 'extensions.conf', (s) => s.replace(' same => n,Set(TIMEOUT(absolute)=${IVR_WATCHDOG})\n', ''));
    expect(checkDialplan({ dir: unarmed, routing, watchdogSeconds: 30 })).toEqual([expect.stringMatching(/must Set\(TIMEOUT\(absolute\)=30\) before Stasis\(\): without it a caller stays in silence/)]);
  });

  it('refuses the whole national ID in an application argument (Asterisk logs them)', () => {
    const dir = copy();
    edit(dir, 'extensions.conf', (s) => s.replace(' same => n,Set(PJSIP_HEADER(add,X-IVR-Rule)', ' same => n,Set(PJSIP_HEADER(add,X-IVR-National-ID)=${IVR_NATIONAL_ID})\n same => n,Set(PJSIP_HEADER(add,X-IVR-Rule)'));
    expect(checkDialplan({ dir, routing })).toEqual([
      expect.stringMatching(/^dialplan\/extensions\.conf:\d+: Set\(\) puts the whole national ID into an argument, which Asterisk logs at verbose 3; use \$\{IVR_NATIONAL_ID:-4\}$/),
    ]);
  });

  it('reports a parse error of any file with file:line, and a missing required file', () => {
    const dir = copy();
    edit(dir, 'pjsip.conf', (s) => s.replace('[transport-tcp]', '[transport-tcp'));
    const problems = checkDialplan({ dir, routing });
    expect(problems[0]).toMatch(/^dialplan\/pjsip\.conf:\d+: bad section header '\[transport-tcp'/);
    const dir2 = copy();
    rmSync(join(dir2, 'queues.conf'));
    const missing = checkDialplan({ dir: dir2, routing });
    expect(missing[0]).toBe('dialplan/queues.conf: file not found; the dialplan needs it');
    expect(missing.filter((p) => p.includes('has no queue'))).toHaveLength(9);
    const none = checkDialplan({ dir: join(dir2, '..', 'missing'), routing });
    expect(none).toEqual([`${join(dir2, '..', 'missing')}: dialplan directory not found`]);
  });
});

describe('dialplanSounds', () => {
  it('lists the prompts the dialplan itself plays, once per place', () => {
    const sounds = dialplanSounds(repoDialplan).map((s) => s.sound).sort();
    expect(sounds).toEqual(['ivr-1699/agents-unavailable-leave-message', 'ivr-1699/queue-please-hold']);
  });
});
