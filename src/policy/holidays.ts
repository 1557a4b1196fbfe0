/**
 * The official-holiday table (config/holidays.json): schema and validation, pure.
 *
 * File format (admin-editable JSON):
 *   { "holidays": [ { "jalali": "1404/01/01", "gregorian": "2025-03-21", "nameFa": "…", "nameEn": "…",
 *                     "kind": "solar", "status": "official", "note": "optional" }, … ] }
 *
 * Checks at load: date formats, the Jalali date exists, the Gregorian date is the same day as the
 * Jalali date, no row twice (same day and same name). Several holidays may share a day (e.g. Nowruz
 * and a lunar holiday). Every problem names the row: `holidays[12] (1404/01/12 Islamic Republic Day): …`.
 */
import { z } from 'zod';
import { dayNumberOfJalali, dayNumberOfKey, keyOfDayNumber } from './calendar.ts';

export const HOLIDAY_KINDS = ['solar', 'lunar', 'company'] as const;
export const HOLIDAY_STATUSES = ['official', 'predicted'] as const;

export const Holiday = z.object({
  jalali: z
    .string({ error: 'jalali: write the Solar Hijri date as YYYY/MM/DD, e.g. "1404/01/01"' })
    .regex(/^\d{4}\/\d{2}\/\d{2}$/, 'jalali: write the Solar Hijri date as YYYY/MM/DD, e.g. "1404/01/01"'),
  gregorian: z
    .string({ error: 'gregorian: write the Gregorian date as YYYY-MM-DD, e.g. "2025-03-21"' })
    .regex(/^\d{4}-\d{2}-\d{2}$/, 'gregorian: write the Gregorian date as YYYY-MM-DD, e.g. "2025-03-21"'),
  nameFa: z.string({ error: 'nameFa: the Persian name is required' }).trim().min(1, 'nameFa: the Persian name is required'),
  nameEn: z.string({ error: 'nameEn: the English name is required' }).trim().min(1, 'nameEn: the English name is required'),
  kind: z.enum(HOLIDAY_KINDS, { error: `kind: must be one of ${HOLIDAY_KINDS.join(', ')} (solar: fixed Jalali date; lunar: moves every year; company: a closing day of the company)` }),
  status: z.enum(HOLIDAY_STATUSES, { error: `status: must be one of ${HOLIDAY_STATUSES.join(', ')} (predicted: forecast of a lunar date, subject to moon sighting)` }),
  note: z.string().optional(),
});
export type Holiday = z.infer<typeof Holiday>;

export const HolidaysFile = z.object({
  holidays: z.array(z.unknown(), { error: 'the file must be an object with a "holidays" list' }),
});

export class HolidaysError extends Error {
  override name = 'HolidaysError';
  constructor(
    readonly problems: string[],
    source = 'holidays',
  ) {
    super(`${source}: ${problems.length} problem(s):\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

function label(i: number, row: unknown): string {
  const r = (row && typeof row === 'object' ? row : {}) as Record<string, unknown>;
  const what = [r.jalali, r.nameEn ?? r.nameFa].filter((x) => typeof x === 'string' && x).join(' ');
  return what ? `holidays[${i}] (${what})` : `holidays[${i}]`;
}

/**
 * Validates a holiday table (JSON text or the parsed object) and returns its rows sorted by date.
 * Throws HolidaysError listing every problem, one per line, each naming its row.
 */
export function parseHolidays(input: string | unknown, source = 'holidays'): Holiday[] {
  let doc: unknown = input;
  if (typeof input === 'string') {
    try {
      doc = JSON.parse(input);
    } catch (e) {
      throw new HolidaysError([`not valid JSON: ${(e as Error).message}`], source);
    }
  }
  const top = HolidaysFile.safeParse(doc);
  if (!top.success) throw new HolidaysError(top.error.issues.map((i) => i.message), source);
  const problems: string[] = [];
  const rows: Holiday[] = [];
  const seen = new Map<string, number>();
  top.data.holidays.forEach((raw, i) => {
    const at = label(i, raw);
    const r = Holiday.safeParse(raw);
    if (!r.success) {
      for (const issue of r.error.issues) {
        const field = issue.path.map(String).join('.');
        const msg = issue.message.startsWith(`${field}:`) || !field ? issue.message : `${field}: ${issue.message}`;
        problems.push(`${at}: ${msg}`);
      }
      return;
    }
    const h = r.data;
    const [jy, jm, jd] = h.jalali.split('/').map(Number) as [number, number, number];
    const n = dayNumberOfJalali(jy, jm, jd);
    if (n === null) {
      problems.push(`${at}: jalali ${h.jalali} is not a date of the Solar Hijri calendar (month 1-12; days 31 in months 1-6, 30 in 7-11, 29 or 30 in 12)`);
      return;
    }
    let g: number;
    try {
      g = dayNumberOfKey(h.gregorian);
    } catch {
      problems.push(`${at}: gregorian ${h.gregorian} is not a date`);
      return;
    }
    if (keyOfDayNumber(g) !== h.gregorian) {
      problems.push(`${at}: gregorian ${h.gregorian} is not a date`);
      return;
    }
    if (g !== n) {
      problems.push(`${at}: gregorian ${h.gregorian} does not match jalali ${h.jalali}, which is ${keyOfDayNumber(n)}; correct one of the two`);
      return;
    }
    const key = `${h.gregorian}|${h.nameEn.toLowerCase()}`;
    const first = seen.get(key);
    if (first !== undefined) {
      problems.push(`${at}: duplicate of holidays[${first}] (same day and name); remove one of them`);
      return;
    }
    seen.set(key, i);
    rows.push(h);
  });
  if (problems.length) throw new HolidaysError(problems, source);
  return rows.sort((a, b) => a.gregorian.localeCompare(b.gregorian));
}
