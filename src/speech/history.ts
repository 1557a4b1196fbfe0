/**
 * Earlier versions of a prompt's audio: before a recording replaces a prompt (the console's upload,
 * `prompts import-batch`), its files and manifest entry are copied to
 * `<dir>/.history/<name>/<UTC stamp>/` (`<base>.<format>` + `entry.json`); a version can be put back.
 * One home for both the console and the command line.
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve, sep } from 'node:path';
import { REQUIRED_FORMATS } from './audio.ts';
import { audioPath, promptStatuses } from './build.ts';
import { readManifest, writeManifest, type ManifestEntry } from './manifest.ts';

export const HISTORY_DIR = '.history';
export const VERSION_ID = /^\d{8}T\d{9}Z(-\d+)?$/;

export interface PromptVersion {
  id: string;
  at: string;
  state: string;
}

/** `<dir>/.history/<name>`; throws for a name that would leave it. */
export function historyDir(dir: string, name: string): string {
  const d = resolve(dir, HISTORY_DIR, name);
  if (!d.startsWith(resolve(dir, HISTORY_DIR) + sep)) throw new RangeError(`'${name}' is not a prompt name`);
  return d;
}

export function versionDir(dir: string, name: string, version: string): string {
  if (!VERSION_ID.test(version)) throw new RangeError(`'${version}' is not a version of a prompt`);
  return join(historyDir(dir, name), version);
}

/** The kept versions of a prompt, newest first. */
export function listVersions(dir: string, name: string): PromptVersion[] {
  const d = historyDir(dir, name);
  if (!existsSync(d)) return [];
  return readdirSync(d)
    .filter((v) => existsSync(join(d, v, 'entry.json')))
    .sort()
    .reverse()
    .map((id) => {
      const meta = JSON.parse(readFileSync(join(d, id, 'entry.json'), 'utf8')) as { at: string; state: string };
      return { id, at: meta.at, state: meta.state };
    });
}

/**
 * Copies the prompt's current audio and manifest entry into its history; returns the version id
 * (undefined when the prompt has no audio). `state` saves a catalogue read when the caller knows it.
 */
export function keepVersion(dir: string, name: string, state?: string): string | undefined {
  const base = name.split('/').pop()!;
  const present = REQUIRED_FORMATS.filter((f) => existsSync(audioPath(dir, name, f)));
  if (!present.length) return undefined;
  const stamp = new Date().toISOString().replace(/[-:.]/g, '').replace(/(\d{6})(\d{3})Z$/, '$1$2Z');
  let id = stamp;
  for (let i = 1; existsSync(join(historyDir(dir, name), id)); i++) id = `${stamp}-${i}`;
  const d = join(historyDir(dir, name), id);
  mkdirSync(d, { recursive: true });
  for (const f of present) copyFileSync(audioPath(dir, name, f), join(d, `${base}.${f}`));
  const st = state ?? promptStatuses(dir).find((s) => s.name === name)?.state ?? 'unknown';
  const entry = readManifest(dir).prompts[name] ?? null;
  writeFileSync(join(d, 'entry.json'), JSON.stringify({ at: new Date().toISOString(), state: st, formats: present, manifest: entry }, null, 2));
  return id;
}

/**
 * Puts a kept version back in place (each file by temp file + rename) with its manifest entry;
 * `removeVersion` deletes it from the history afterwards.
 */
export function putBackVersion(dir: string, name: string, id: string, removeVersion: boolean): void {
  const d = versionDir(dir, name, id);
  const base = name.split('/').pop()!;
  const meta = JSON.parse(readFileSync(join(d, 'entry.json'), 'utf8')) as { formats: string[]; manifest: ManifestEntry | null };
  for (const f of REQUIRED_FORMATS) {
    const dest = audioPath(dir, name, f);
    if (meta.formats.includes(f)) {
      const tmp = `${dest}.tmp-${process.pid}`;
      copyFileSync(join(d, `${base}.${f}`), tmp);
      renameSync(tmp, dest);
    } else rmSync(dest, { force: true });
  }
  const m = readManifest(dir);
  if (meta.manifest) m.prompts[name] = meta.manifest;
  else delete m.prompts[name];
  writeManifest(dir, m);
  if (removeVersion) rmSync(d, { recursive: true, force: true });
}
