/**
 * The one place of src/policy that reads a file: the holiday table. Everything else is pure.
 */
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createWorkingCalendar, type WorkingCalendar } from './calendar.ts';
import type { PolicyConfig } from './config.ts';
import { HolidaysError, parseHolidays, type Holiday } from './holidays.ts';

/** the project folder (where config/ and data/ live) */
export const PROJECT_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Where the holiday table `path` (policy.holidaysFile) is: a relative path is taken from the project folder. */
export function holidaysPath(path: string, baseDir = PROJECT_DIR): string {
  return isAbsolute(path) ? path : resolve(baseDir, path);
}

/** Reads and validates a holiday table; a relative path is taken from the project folder. */
export function loadHolidaysFile(path: string, baseDir = PROJECT_DIR): Holiday[] {
  const full = holidaysPath(path, baseDir);
  let text: string;
  try {
    text = readFileSync(full, 'utf8');
  } catch (e) {
    throw new HolidaysError([`cannot read the holiday table (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); set policy.holidaysFile to an existing file`], path);
  }
  return parseHolidays(text, path);
}

/** The working calendar of a policy configuration (reads `cfg.holidaysFile`). */
export function loadWorkingCalendar(cfg: PolicyConfig, baseDir = PROJECT_DIR): WorkingCalendar {
  return createWorkingCalendar({
    holidays: loadHolidaysFile(cfg.holidaysFile, baseDir),
    thursdayIsWorkingDay: cfg.thursdayIsWorkingDay,
    timeZone: cfg.timeZone,
  });
}
