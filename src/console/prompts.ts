/**
 * The console's prompts: the list (text, draft or recording, length, check result), each prompt's
 * audio, uploads of recordings (checked, converted to every Asterisk format by the same code as
 * `ivr-1699 prompts import`), the previous version kept under `<dir>/.history/<name>/` and restored
 * in one step (src/speech/history.ts, shared with `prompts import-batch`), and text edits that rebuild the draft (`prompts build --only NAME`). The running
 * service reads audio at each playback, so a change is heard on the next call.
 */
import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseDocument } from 'yaml';
import { parseWav } from '../speech/audio.ts';
import { audioPath, buildPrompts, catalogueDir, DEFAULT_TOOLS, promptStatuses, type AudioTools } from '../speech/build.ts';
import { importRecording, RecordingRefused } from '../speech/import.ts';
import { loadCatalogue, parseCatalogueFile } from '../speech/catalogue.ts';
import { checkPrompts } from '../speech/check.ts';
import { PROMPT_NAME } from '../speech/compose.ts';
import { keepVersion, listVersions, putBackVersion, versionDir, type PromptVersion } from '../speech/history.ts';
import type { RecordingFacts } from '../speech/recording-check.ts';
import { HttpError } from './http.ts';

export interface PromptRow {
  name: string;
  text: string;
  purpose: string;
  state: string;
  seconds: number | null;
  problems: string[];
  /** earlier versions kept (restore takes the newest) */
  versions: number;
}

export type { PromptVersion };

export class PromptAdmin {
  private checkCache?: { at: number; byName: Map<string, string[]> };

  constructor(
    readonly dir: string,
    private readonly tools: AudioTools = DEFAULT_TOOLS,
  ) {}

  /** Refuses names that are not catalogue entries (and so anything that could leave the folder). */
  private known(name: string): void {
    if (!PROMPT_NAME.test(name)) throw new HttpError(400, `'${name}' is not a prompt name`);
    if (!loadCatalogue(catalogueDir(this.dir)).entries.has(name)) throw new HttpError(404, `no prompt named '${name}'`);
  }

  list(): PromptRow[] {
    const cat = loadCatalogue(catalogueDir(this.dir));
    const problems = this.problemsByName([...cat.entries.keys()]);
    return promptStatuses(this.dir, cat).map((s) => ({
      name: s.name,
      text: s.text,
      purpose: cat.entries.get(s.name)?.purpose ?? '',
      state: s.state,
      seconds: this.seconds(audioPath(this.dir, s.name, 'wav')),
      problems: problems.get(s.name) ?? [],
      versions: this.versions(s.name).length,
    }));
  }

  private seconds(file: string): number | null {
    try {
      const w = parseWav(readFileSync(file));
      return w.dataLength / (w.sampleRate * w.channels * (w.bitsPerSample / 8));
    } catch {
      return null;
    }
  }

  /** `ivr-1699 check`'s lines for the prompts, by prompt (cached for a few seconds; dropped on every change). */
  private problemsByName(names: string[]): Map<string, string[]> {
    if (this.checkCache && Date.now() - this.checkCache.at < 10_000) return this.checkCache.byName;
    const byName = new Map<string, string[]>();
    const longestFirst = [...names].sort((a, b) => b.length - a.length);
    for (const line of checkPrompts({ dir: this.dir })) {
      const name = longestFirst.find((n) => line.startsWith(`${join(this.dir, n)}.`));
      const key = name ?? '';
      byName.set(key, [...(byName.get(key) ?? []), line.slice(this.dir.length + 1)]);
    }
    this.checkCache = { at: Date.now(), byName };
    return byName;
  }

  /** The WAV of a prompt, or of one of its kept versions. */
  audioFile(name: string, version?: string): string {
    this.known(name);
    const file = version ? join(this.versionDir(name, version), `${name.split('/').pop()}.wav`) : audioPath(this.dir, name, 'wav');
    if (!existsSync(file)) throw new HttpError(404, `prompt '${name}' has no audio${version ? ` in version ${version}` : ''}`);
    return file;
  }

  private versionDir(name: string, version: string): string {
    try {
      return versionDir(this.dir, name, version);
    } catch (e) {
      throw new HttpError(400, (e as Error).message);
    }
  }

  versions(name: string): PromptVersion[] {
    try {
      return listVersions(this.dir, name);
    } catch (e) {
      throw new HttpError(400, (e as Error).message);
    }
  }

  /** Copies the prompt's current audio and manifest entry into its history; returns the version id. */
  private keep(name: string): string | undefined {
    return keepVersion(this.dir, name);
  }

  /** Checks and imports an uploaded recording; the version it replaces is kept. */
  async upload(name: string, data: Buffer, fileName: string): Promise<{ facts: RecordingFacts; kept?: string }> {
    this.known(name);
    if (!data.length) throw new HttpError(400, 'the upload is empty');
    const work = mkdtempSync(join(tmpdir(), 'ivr-1699-upload-'));
    const ext = (/\.([A-Za-z0-9]{2,5})$/.exec(fileName)?.[1] ?? 'wav').toLowerCase();
    const file = join(work, `upload.${ext}`);
    try {
      writeFileSync(file, data);
      // checked, then put live with the replaced version kept: as `prompts import` (src/speech/import.ts)
      let r: Awaited<ReturnType<typeof importRecording>>;
      try {
        r = await importRecording({ dir: this.dir, name, file, tools: this.tools });
      } catch (e) {
        if (e instanceof RecordingRefused) throw new HttpError(422, e.problems.join('; '));
        throw e;
      }
      this.checkCache = undefined;
      return { facts: r.facts, ...(r.kept ? { kept: r.kept } : {}) };
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }

  /** Restores the newest kept version (the current one is kept in its place, so a restore can be undone). */
  restore(name: string, version?: string): { restored: string; kept?: string } {
    this.known(name);
    const id = version ?? this.versions(name)[0]?.id;
    if (!id) throw new HttpError(409, `prompt '${name}' has no earlier version to restore`);
    if (!existsSync(join(this.versionDir(name, id), 'entry.json'))) throw new HttpError(404, `prompt '${name}' has no version ${id}`);
    const kept = this.keep(name);
    this.putBack(name, id, true);
    this.checkCache = undefined;
    return { restored: id, ...(kept ? { kept } : {}) };
  }

  private putBack(name: string, id: string, removeVersion: boolean): void {
    putBackVersion(this.dir, name, id, removeVersion);
  }

  /**
   * Changes a prompt's text in its catalogue file (validated like `check` before it is written)
   * and rebuilds its draft; a recording is kept and then shows as made for an older text.
   */
  async setText(name: string, text: string): Promise<{ file: string; rebuilt: boolean; note?: string }> {
    this.known(name);
    const t = text.trim();
    if (!t) throw new HttpError(400, 'the text is empty');
    if (t.length > 1000) throw new HttpError(400, 'the text is longer than 1000 characters');
    const entry = loadCatalogue(catalogueDir(this.dir)).entries.get(name)!;
    const doc = parseDocument(readFileSync(entry.file, 'utf8'));
    doc.setIn([name, 'text'], t);
    const out = doc.toString({ lineWidth: 0 });
    const check = parseCatalogueFile(entry.file, out);
    if (check.problems.length) throw new HttpError(422, check.problems.join('; '));
    const tmp = join(dirname(entry.file), `.${name.replace(/\//g, '_')}.${process.pid}.tmp`);
    writeFileSync(tmp, out);
    renameSync(tmp, entry.file);
    this.checkCache = undefined;
    const state = promptStatuses(this.dir).find((s) => s.name === name)?.state;
    if (state === 'recorded' || state === 'recorded-outdated') {
      return { file: entry.file, rebuilt: false, note: 'the prompt is a recording: record it again for the new text, or restore the draft' };
    }
    const r = await buildPrompts({ dir: this.dir, only: [name], tools: this.tools });
    if (r.failed.length) throw new HttpError(500, `the text was saved, but the draft could not be built: ${r.failed[0]!.error}`);
    return { file: entry.file, rebuilt: r.built.includes(name) };
  }

  /** Last-modified time of a prompt's WAV (for caching in the browser). */
  mtime(file: string): number {
    return statSync(file).mtimeMs;
  }
}
