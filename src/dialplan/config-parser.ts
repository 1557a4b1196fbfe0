/**
 * Parser of Asterisk's configuration file syntax (extensions.conf, pjsip.conf, queues.conf, …),
 * as main/config.c reads it:
 *
 * - sections `[name]`, templates `[name](!)`, inheritance `[name](tpl1,tpl2)` (the templates'
 *   entries are copied in first), additions `[name](+)` to an existing section;
 * - `key = value` and `key => value` (same meaning to the loader; `=>` is customary for
 *   `exten`, `same`, `include`, `member`);
 * - comments: `;` to the end of the line, `;-- … --;` blocks (which may span lines and nest;
 *   `;---` with a third dash is a plain line comment, as in main/config.c), `\;` for a literal
 *   semicolon;
 * - directives `#include file`, `#tryinclude file` (a missing file is no error) and `#exec cmd`
 *   (recorded, never run). Quotes around the file name are optional; `*`/`?` globs match files in
 *   the directory. A relative name is resolved against the directory of the including file (for
 *   the files under dialplan/ that is also Asterisk's config directory, where they are deployed).
 *
 * `parseConfig` is pure (text in, structure out, includes recorded but not followed);
 * `loadConfig` reads a file from disk and splices its includes in place, as Asterisk does, so an
 * included file may continue the section that was open at the `#include`.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';

export interface SourceLocation {
  file: string;
  line: number;
}

export interface ConfigEntry {
  key: string;
  value: string;
  /** `=` or `=>` as written */
  op: '=' | '=>';
  at: SourceLocation;
  /** name of the template the entry was copied from, when inherited */
  inheritedFrom?: string;
}

export interface ConfigSection {
  name: string;
  /** `(!)`: a template, not an object of its own */
  template: boolean;
  /** templates named in the header, in order */
  inherits: string[];
  /** `(+)`: entries added to an earlier section of the same name */
  additive: boolean;
  /** own entries, in file order (templates' entries are applied by `resolveTemplates`) */
  entries: ConfigEntry[];
  at: SourceLocation;
}

export interface ConfigDirective {
  kind: 'include' | 'tryinclude' | 'exec';
  target: string;
  at: SourceLocation;
}

export interface ConfigProblem {
  at: SourceLocation;
  message: string;
}

export interface ParsedConfig {
  /** the file given to the parser (the top file for `loadConfig`) */
  file: string;
  sections: ConfigSection[];
  directives: ConfigDirective[];
  errors: ConfigProblem[];
  /** every file read, the top file first (one entry for `parseConfig`) */
  files: string[];
}

/** `file:line: message`, the form every problem is reported in. */
export function formatProblem(p: ConfigProblem): string {
  return `${p.at.file}:${p.at.line}: ${p.message}`;
}

interface LogicalLine {
  text: string;
  at: SourceLocation;
}

/** `;--` opens a block comment, but not `;---…` (a ruler line of dashes is a line comment). */
function opensBlock(raw: string, i: number): boolean {
  return raw.startsWith(';--', i) && raw[i + 3] !== '-';
}

/**
 * Strips comments and unescapes `\;`. The block-comment depth carries from line to line; the
 * caller keeps it in `state` (per file: Asterisk does not carry a comment across an include).
 */
function stripComments(raw: string, state: { depth: number; openedAt?: number }, lineNo: number): string {
  let out = '';
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i];
    if (state.depth > 0) {
      if (opensBlock(raw, i)) {
        state.depth++;
        i += 2;
      } else if (raw.startsWith('--;', i)) {
        state.depth--;
        i += 2;
      }
      continue;
    }
    if (c === '\\' && raw[i + 1] === ';') {
      out += ';';
      i++;
      continue;
    }
    if (c === ';') {
      if (opensBlock(raw, i)) {
        state.depth = 1;
        state.openedAt = lineNo;
        i += 2;
        continue;
      }
      break; // line comment
    }
    out += c;
  }
  return out;
}

function splitLines(text: string, file: string, errors: ConfigProblem[]): LogicalLine[] {
  const lines: LogicalLine[] = [];
  const state: { depth: number; openedAt?: number } = { depth: 0 };
  const raw = text.split(/\r?\n/);
  raw.forEach((r, idx) => {
    const t = stripComments(r, state, idx + 1).trim();
    if (t) lines.push({ text: t, at: { file, line: idx + 1 } });
  });
  if (state.depth > 0) {
    errors.push({ at: { file, line: state.openedAt ?? raw.length }, message: `block comment ';--' is never closed with '--;'` });
  }
  return lines;
}

const SECTION_RE = /^\[([^\]]*)\]\s*(?:\(([^)]*)\))?\s*(.*)$/;

/** Reads one `#include`/`#tryinclude`/`#exec` line; null when the line is not a directive. */
function parseDirective(line: LogicalLine, errors: ConfigProblem[]): ConfigDirective | null {
  const m = /^#\s*(include|tryinclude|exec)\b\s*(.*)$/.exec(line.text);
  if (!m) {
    if (line.text.startsWith('#')) {
      errors.push({ at: line.at, message: `unknown directive '${line.text.split(/\s/)[0]}'; known: #include, #tryinclude, #exec` });
    }
    return null;
  }
  let target = (m[2] ?? '').trim();
  if ((target.startsWith('"') && target.endsWith('"')) || (target.startsWith('<') && target.endsWith('>'))) {
    target = target.slice(1, -1).trim();
  }
  if (!target) {
    errors.push({ at: line.at, message: `#${m[1]} needs a file name` });
    return null;
  }
  return { kind: m[1] as ConfigDirective['kind'], target, at: line.at };
}

/** Expands an include target to the files it names (glob in the last path part). */
function expandInclude(target: string, fromFile: string): string[] {
  const full = isAbsolute(target) ? target : resolve(dirname(fromFile), target);
  const base = basename(full);
  if (!/[*?]/.test(base)) return existsSync(full) ? [full] : [];
  const dir = dirname(full);
  if (!existsSync(dir)) return [];
  const re = new RegExp('^' + base.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.') + '$');
  return readdirSync(dir)
    .filter((f) => re.test(f))
    .sort()
    .map((f) => join(dir, f));
}

interface ParseState {
  sections: ConfigSection[];
  current: ConfigSection | null;
  directives: ConfigDirective[];
  errors: ConfigProblem[];
  files: string[];
  /** files on the include stack, for cycle detection */
  stack: string[];
  /** follow includes from disk (loadConfig) or only record them (parseConfig) */
  follow: boolean;
}

function parseInto(text: string, file: string, st: ParseState): void {
  st.files.push(file);
  for (const line of splitLines(text, file, st.errors)) {
    if (line.text.startsWith('#')) {
      const d = parseDirective(line, st.errors);
      if (!d) continue;
      st.directives.push(d);
      if (!st.follow || d.kind === 'exec') continue;
      const found = expandInclude(d.target, file);
      if (found.length === 0) {
        if (d.kind === 'include') st.errors.push({ at: d.at, message: `#include: file '${d.target}' not found (looked in ${dirname(resolve(file))})` });
        continue;
      }
      for (const f of found) {
        if (st.stack.includes(f)) {
          st.errors.push({ at: d.at, message: `#${d.kind} '${d.target}' includes itself (cycle: ${[...st.stack, f].map((s) => basename(s)).join(' -> ')})` });
          continue;
        }
        st.stack.push(f);
        parseInto(readFileSync(f, 'utf8'), f, st);
        st.stack.pop();
      }
      continue;
    }
    if (line.text.startsWith('[')) {
      const m = SECTION_RE.exec(line.text);
      if (!m) {
        st.errors.push({ at: line.at, message: `bad section header '${line.text}'; expected [name], [name](!) or [name](template,…)` });
        st.current = null;
        continue;
      }
      const name = (m[1] ?? '').trim();
      if (!name) {
        st.errors.push({ at: line.at, message: 'empty section name in []' });
        st.current = null;
        continue;
      }
      if (m[3]) {
        st.errors.push({ at: line.at, message: `unexpected text '${m[3]}' after section header [${name}]` });
      }
      const opts = (m[2] ?? '').split(',').map((s) => s.trim()).filter(Boolean);
      const section: ConfigSection = {
        name,
        template: opts.includes('!'),
        additive: opts.includes('+'),
        inherits: opts.filter((o) => o !== '!' && o !== '+'),
        entries: [],
        at: line.at,
      };
      st.sections.push(section);
      st.current = section;
      continue;
    }
    const eq = line.text.indexOf('=');
    if (eq <= 0) {
      st.errors.push({ at: line.at, message: `expected 'key = value' or 'key => value', found '${line.text}'` });
      continue;
    }
    const arrow = line.text[eq + 1] === '>';
    const key = line.text.slice(0, eq).trim();
    const value = line.text.slice(eq + (arrow ? 2 : 1)).trim();
    if (!st.current) {
      st.errors.push({ at: line.at, message: `'${key}' is outside any section; add a [section] header above it` });
      continue;
    }
    st.current.entries.push({ key, value, op: arrow ? '=>' : '=', at: line.at });
  }
}

/** Parses one file's text. `#include`s are recorded in `directives`, not followed. */
export function parseConfig(text: string, file = '<text>'): ParsedConfig {
  const st: ParseState = { sections: [], current: null, directives: [], errors: [], files: [], stack: [file], follow: false };
  parseInto(text, file, st);
  return { file, sections: st.sections, directives: st.directives, errors: st.errors, files: st.files };
}

/**
 * Reads a file and everything it `#include`s (relative to the including file), spliced in place.
 * A missing `#include` file or an include cycle is an error; a missing `#tryinclude` is not.
 */
export function loadConfig(path: string): ParsedConfig {
  const file = resolve(path);
  const st: ParseState = { sections: [], current: null, directives: [], errors: [], files: [], stack: [file], follow: true };
  if (!existsSync(file)) {
    return { file, sections: [], directives: [], errors: [{ at: { file, line: 0 }, message: 'file not found' }], files: [] };
  }
  parseInto(readFileSync(file, 'utf8'), file, st);
  return { file, sections: st.sections, directives: st.directives, errors: st.errors, files: st.files };
}

/** A section with its templates' entries applied: what Asterisk ends up with. */
export interface ResolvedSection {
  name: string;
  template: boolean;
  entries: ConfigEntry[];
  at: SourceLocation;
}

/**
 * Applies templates and `(+)` additions as Asterisk does: a section inheriting `(a,b)` starts with
 * a's entries, then b's, then its own; `(+)` appends to the last earlier section of that name.
 * A template must be defined before it is used. Several sections may share a name (pjsip.conf does
 * that for an endpoint and its aor), so the result is a list.
 */
export function resolveTemplates(cfg: ParsedConfig): { sections: ResolvedSection[]; errors: ConfigProblem[] } {
  const out: ResolvedSection[] = [];
  const errors: ConfigProblem[] = [];
  const lastByName = new Map<string, ResolvedSection>();
  for (const s of cfg.sections) {
    if (s.additive) {
      const target = lastByName.get(s.name);
      if (!target) {
        errors.push({ at: s.at, message: `[${s.name}](+) adds to a section that is not defined before it` });
        continue;
      }
      target.entries.push(...s.entries);
      continue;
    }
    const entries: ConfigEntry[] = [];
    for (const t of s.inherits) {
      const tpl = lastByName.get(t);
      if (!tpl) {
        errors.push({ at: s.at, message: `[${s.name}] inherits from '${t}', which is not defined before it` });
        continue;
      }
      for (const e of tpl.entries) entries.push({ ...e, inheritedFrom: e.inheritedFrom ?? t });
    }
    entries.push(...s.entries);
    const r: ResolvedSection = { name: s.name, template: s.template, entries, at: s.at };
    out.push(r);
    lastByName.set(s.name, r);
  }
  return { sections: out, errors };
}

/** The last value of `key` in a resolved section (later entries override earlier ones). */
export function sectionValue(s: ResolvedSection, key: string): string | undefined {
  let v: string | undefined;
  for (const e of s.entries) if (e.key === key) v = e.value;
  return v;
}

/** Every value of `key` in a resolved section, in order (e.g. queue `member` lines). */
export function sectionValues(s: ResolvedSection, key: string): ConfigEntry[] {
  return s.entries.filter((e) => e.key === key);
}
