/**
 * The console's audit trail: one JSON line per change (who, what, when, on what, with which
 * result), appended and flushed to disk (fsync) before the change is reported done, and logged.
 * Personal data is masked the same way as in the logs.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Logger } from '../log/logger.ts';
import { maskDeep } from '../log/mask.ts';

export interface AuditEntry {
  at: string;
  user: string;
  action: string;
  target?: string;
  result: 'ok' | 'refused' | 'failed';
  detail?: Record<string, unknown>;
}

export class AuditTrail {
  constructor(
    readonly file: string,
    private readonly log: Logger,
    private readonly now: () => Date = () => new Date(),
  ) {}

  record(e: Omit<AuditEntry, 'at'>): AuditEntry {
    const entry = maskDeep({ at: this.now().toISOString(), ...e }) as AuditEntry;
    mkdirSync(dirname(this.file), { recursive: true });
    const fd = openSync(this.file, 'a', 0o600);
    try {
      writeSync(fd, JSON.stringify(entry) + '\n');
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    this.log.info({ audit: entry }, `console: ${e.user} ${e.action}${e.target ? ` ${e.target}` : ''} (${e.result})`);
    return entry;
  }

  /** The last `limit` entries, newest first. */
  recent(limit = 100): AuditEntry[] {
    let text: string;
    try {
      text = readFileSync(this.file, 'utf8');
    } catch {
      return [];
    }
    const lines = text.split('\n').filter(Boolean).slice(-limit).reverse();
    const out: AuditEntry[] = [];
    for (const l of lines) {
      try {
        out.push(JSON.parse(l) as AuditEntry);
      } catch {
        // a torn last line after a crash is skipped, the rest is kept
      }
    }
    return out;
  }
}
