import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatProblem, loadConfig, parseConfig, resolveTemplates, sectionValue, sectionValues } from '../../src/dialplan/config-parser.ts';
import { buildDialplan, extensionMatches, findExtension, jumpTargets, splitArgs } from '../../src/dialplan/dialplan.ts';

const tmp = (): string => mkdtempSync(join(tmpdir(), 'ivr-dialplan-'));

describe('parseConfig', () => {
  it('reads sections, both assignment forms and their lines', () => {
    const c = parseConfig('[a]\nx = 1\ny => two words\n\n[b]\nz=3\n', 'f.conf');
    expect(c.errors).toEqual([]);
    expect(c.sections.map((s) => s.name)).toEqual(['a', 'b']);
    expect(c.sections[0]?.entries).toEqual([
      { key: 'x', value: '1', op: '=', at: { file: 'f.conf', line: 2 } },
      { key: 'y', value: 'two words', op: '=>', at: { file: 'f.conf', line: 3 } },
    ]);
    expect(c.sections[1]?.entries[0]?.at.line).toBe(6);
  });

  it('strips line and block comments, keeps escaped semicolons, treats ;--- rulers as line comments', () => {
    const text = [
      '[a] ; header comment',
      'k = v ; trailing',
      ';-- a block',
      'hidden = yes',
      '   still hidden --; visible = after',
      ';------------------- a ruler, not a block',
      'm = a\\;b',
      'n = x ;-- inline block --; ',
    ].join('\n');
    const c = parseConfig(text, 'c.conf');
    expect(c.errors).toEqual([]);
    const a = c.sections[0];
    expect(a?.entries.map((e) => [e.key, e.value])).toEqual([
      ['k', 'v'],
      ['visible', 'after'],
      ['m', 'a;b'],
      ['n', 'x'],
    ]);
  });

  it('reports an unclosed block comment at the line that opened it', () => {
    const c = parseConfig('[a]\nk=v\n;-- never closed\nx=y\n', 'u.conf');
    expect(c.errors.map(formatProblem)).toEqual(["u.conf:3: block comment ';--' is never closed with '--;'"]);
  });

  it('reads template flags and inheritance lists', () => {
    const c = parseConfig('[t](!)\na=1\n[u](!,t)\nb=2\n[x](t,u)\n[x](+)\nc=3\n');
    expect(c.sections.map((s) => [s.name, s.template, s.inherits, s.additive])).toEqual([
      ['t', true, [], false],
      ['u', true, ['t'], false],
      ['x', false, ['t', 'u'], false],
      ['x', false, [], true],
    ]);
  });

  it('reports syntax errors with file and line', () => {
    const c = parseConfig('orphan = 1\n[ok]\nnot an assignment\n[bad\n#frobnicate x\n#include\n', 'e.conf');
    expect(c.errors.map(formatProblem)).toEqual([
      "e.conf:1: 'orphan' is outside any section; add a [section] header above it",
      "e.conf:3: expected 'key = value' or 'key => value', found 'not an assignment'",
      "e.conf:4: bad section header '[bad'; expected [name], [name](!) or [name](template,…)",
      "e.conf:5: unknown directive '#frobnicate'; known: #include, #tryinclude, #exec",
      'e.conf:6: #include needs a file name',
    ]);
  });

  it('records include directives without following them', () => {
    const c = parseConfig('#include "a.conf"\n#tryinclude b.conf\n#exec /bin/true\n', 'p.conf');
    expect(c.directives.map((d) => [d.kind, d.target, d.at.line])).toEqual([
      ['include', 'a.conf', 1],
      ['tryinclude', 'b.conf', 2],
      ['exec', '/bin/true', 3],
    ]);
    expect(c.sections).toEqual([]);
  });
});

describe('resolveTemplates', () => {
  it('copies templates first, in order, then own entries; (+) appends', () => {
    const c = parseConfig('[t1](!)\ntype=endpoint\nallow=ulaw\n[t2](!)\nallow=g722\n[e](t1,t2)\ncontext=x\n[e](+)\nextra=1\n');
    const r = resolveTemplates(c);
    expect(r.errors).toEqual([]);
    const e = r.sections.find((s) => s.name === 'e');
    expect(e?.entries.map((x) => `${x.key}=${x.value}`)).toEqual(['type=endpoint', 'allow=ulaw', 'allow=g722', 'context=x', 'extra=1']);
    expect(e && sectionValue(e, 'allow')).toBe('g722');
    expect(e && sectionValues(e, 'allow').map((x) => x.inheritedFrom)).toEqual(['t1', 't2']);
  });

  it('reports a template used before it is defined and a (+) without a section', () => {
    const c = parseConfig('[e](later)\n[later](!)\n[nothing](+)\n', 'r.conf');
    expect(resolveTemplates(c).errors.map(formatProblem)).toEqual([
      "r.conf:1: [e] inherits from 'later', which is not defined before it",
      'r.conf:3: [nothing](+) adds to a section that is not defined before it',
    ]);
  });
});

describe('loadConfig', () => {
  it('splices #include files in place, relative to the including file, continuing the open section', () => {
    const d = tmp();
    mkdirSync(join(d, 'sub'));
    writeFileSync(join(d, 'main.conf'), '[a]\nx=1\n#include sub/part.conf\ny=after\n');
    writeFileSync(join(d, 'sub', 'part.conf'), 'from_part=1\n#include "deeper.conf"\n[b]\nz=2\n');
    writeFileSync(join(d, 'sub', 'deeper.conf'), 'deep=1\n');
    const c = loadConfig(join(d, 'main.conf'));
    expect(c.errors).toEqual([]);
    expect(c.sections.map((s) => [s.name, s.entries.map((e) => e.key)])).toEqual([
      ['a', ['x', 'from_part', 'deep']],
      ['b', ['z', 'y']],
    ]);
    expect(c.sections[1]?.entries[0]?.at).toEqual({ file: join(d, 'sub', 'part.conf'), line: 4 });
    expect(c.files).toHaveLength(3);
  });

  it('reports a missing #include with its line, ignores a missing #tryinclude, expands globs', () => {
    const d = tmp();
    writeFileSync(join(d, 'main.conf'), '[a]\n#tryinclude nothere.conf\n#include gone.conf\n#include x_*.conf\n');
    writeFileSync(join(d, 'x_1.conf'), 'one=1\n');
    writeFileSync(join(d, 'x_2.conf'), 'two=2\n');
    const c = loadConfig(join(d, 'main.conf'));
    expect(c.errors.map(formatProblem)).toEqual([`${join(d, 'main.conf')}:3: #include: file 'gone.conf' not found (looked in ${d})`]);
    expect(c.sections[0]?.entries.map((e) => e.key)).toEqual(['one', 'two']);
  });

  it('stops an include cycle with an error instead of looping', () => {
    const d = tmp();
    writeFileSync(join(d, 'a.conf'), '[s]\n#include b.conf\n');
    writeFileSync(join(d, 'b.conf'), '#include a.conf\n');
    const c = loadConfig(join(d, 'a.conf'));
    expect(c.errors).toHaveLength(1);
    expect(formatProblem(c.errors[0]!)).toMatch(/b\.conf:1: #include 'a\.conf' includes itself \(cycle: a\.conf -> b\.conf -> a\.conf\)/);
  });

  it('reports syntax errors inside an included file with that file and line', () => {
    const d = tmp();
    writeFileSync(join(d, 'a.conf'), '[s]\n#include b.conf\n');
    writeFileSync(join(d, 'b.conf'), 'ok=1\n\nbroken line\n');
    expect(loadConfig(join(d, 'a.conf')).errors.map(formatProblem)).toEqual([
      `${join(d, 'b.conf')}:3: expected 'key = value' or 'key => value', found 'broken line'`,
    ]);
  });
});

describe('dialplan', () => {
  const text = [
    '[general]',
    'static=yes',
    '[in]',
    'include => shared',
    'exten => 1699,1,NoOp(start)',
    ' same => n,Set(CHANNEL(language)=fa)',
    ' same => n(app),Stasis(ivr-1699,inbound)',
    ' same => n,GotoIf($["${STASISSTATUS}" = "FAILED"]?fail:done)',
    ' same => n(fail),Goto(out,general,1)',
    ' same => n(done),Hangup()',
    'exten => 1700,hint,PJSIP/a',
    '[shared]',
    'exten => _2XXX,1,Dial(PJSIP/agent-${EXTEN})',
    '[out]',
    'exten => general,1,Queue(general-queue,tb(pre^s^1),,,60,,conn)',
  ].join('\n');

  it('numbers n priorities, keeps labels, and skips settings sections', () => {
    const dp = buildDialplan(parseConfig(text, 'x.conf'));
    expect(dp.errors).toEqual([]);
    expect([...dp.contexts.keys()]).toEqual(['in', 'shared', 'out']);
    const steps = dp.contexts.get('in')?.extensions.get('1699') ?? [];
    expect(steps.map((s) => [s.priority, s.label ?? '', s.app])).toEqual([
      [1, '', 'NoOp'],
      [2, '', 'Set'],
      [3, 'app', 'Stasis'],
      [4, '', 'GotoIf'],
      [5, 'fail', 'Goto'],
      [6, 'done', 'Hangup'],
    ]);
    expect(steps[1]?.args).toBe('CHANNEL(language)=fa');
    expect(dp.contexts.get('in')?.hints.get('1700')).toBe('PJSIP/a');
  });

  it('finds extensions through patterns and includes (also a timed include)', () => {
    const timed = buildDialplan(parseConfig('[a]\ninclude => b,08:00-17:00,sat-wed,*,*\n[b]\nexten => 5,1,NoOp()\n'));
    expect(timed.contexts.get('a')?.includes.map((i) => i.name)).toEqual(['b']);
    expect(findExtension(timed, 'a', '5')?.[0]?.app).toBe('NoOp');
    const dp = buildDialplan(parseConfig(text));
    expect(findExtension(dp, 'in', '2001')?.[0]?.app).toBe('Dial');
    expect(findExtension(dp, 'in', '3001')).toBeNull();
    expect(findExtension(dp, 'nowhere', '1699')).toBeNull();
  });

  it('reads jump targets of Goto, GotoIf branches, Queue b() and gosub', () => {
    const dp = buildDialplan(parseConfig(text));
    const steps = [...(dp.contexts.get('in')?.extensions.get('1699') ?? []), ...(dp.contexts.get('out')?.extensions.get('general') ?? [])];
    const targets = steps.flatMap(jumpTargets).map((t) => `${t.context},${t.exten},${t.priority}`);
    expect(targets).toEqual(['in,1699,fail', 'in,1699,done', 'out,general,1', 'pre,s,1', 'conn,s,1']);
  });

  it('reports same without exten, n as a first priority, duplicates and a missing priority 1', () => {
    const bad = ['[c]', 'same => n,NoOp()', 'exten => a,n,NoOp()', 'exten => b,1,NoOp()', 'exten => b,1,NoOp()', 'exten => c,2,NoOp()', 'exten => d,x,NoOp()'].join('\n');
    const dp = buildDialplan(parseConfig(bad, 'bad.conf'));
    expect(dp.errors.map(formatProblem)).toEqual([
      "bad.conf:2: 'same =>' has no 'exten =>' before it in context [c]",
      "bad.conf:3: priority 'n' cannot start extension a in [c]; its first priority must be 1",
      'bad.conf:5: extension b priority 1 is defined twice in [c]',
      "bad.conf:7: bad priority 'x' for extension d in [c]; expected a number, n, n(label) or hint",
      'bad.conf:6: extension c in [c] has no priority 1, so a call to it finds nothing',
    ]);
  });

  it('matches Asterisk patterns', () => {
    expect(extensionMatches('_X.', '1699')).toBe(true);
    expect(extensionMatches('_X.', '1')).toBe(false);
    expect(extensionMatches('_NXX', '199')).toBe(false);
    expect(extensionMatches('_NXX', '299')).toBe(true);
    expect(extensionMatches('_[a-z].', 'after-sales-service')).toBe(true);
    expect(extensionMatches('_1-800-XXX', '1800555')).toBe(true);
    expect(extensionMatches('_Z!', '5')).toBe(true);
    expect(extensionMatches('1699', '1699')).toBe(true);
    expect(extensionMatches('1699', '16990')).toBe(false);
  });

  it('splits arguments at top level only', () => {
    expect(splitArgs('a,$["${X}" = "a,b"],IF($[1]?x:y),${V:-4}')).toEqual(['a', '$["${X}" = "a,b"]', 'IF($[1]?x:y)', '${V:-4}']);
    expect(splitArgs('cond?yes:no', '?')).toEqual(['cond', 'yes:no']);
  });
});
