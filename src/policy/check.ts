/**
 * Start-up / `ivr-1699 check` validation of the policy part of the configuration: the thresholds,
 * the holiday table, and whether the table covers the Jalali year of `now` (lunar holidays move
 * every year, so a missing year silently turns holidays into working days) and, in the last
 * `warnDaysBeforeNewYear` days of a year, the next one.
 */
import { PolicyConfigError, parsePolicyConfig } from './config.ts';
import { createWorkingCalendar } from './calendar.ts';
import { HolidaysError } from './holidays.ts';
import { loadHolidaysFile, PROJECT_DIR } from './load.ts';

export interface PolicyCheck {
  /** problems that make the configuration unusable (check exits 1) */
  errors: string[];
  /** things an admin should fix soon */
  warnings: string[];
}

export function checkPolicy(opts: { policy?: unknown; now?: Date; baseDir?: string; warnDaysBeforeNewYear?: number } = {}): PolicyCheck {
  const errors: string[] = [];
  const warnings: string[] = [];
  let cfg;
  try {
    cfg = parsePolicyConfig(opts.policy ?? {});
  } catch (e) {
    if (e instanceof PolicyConfigError) return { errors: e.problems, warnings };
    throw e;
  }
  let holidays;
  try {
    holidays = loadHolidaysFile(cfg.holidaysFile, opts.baseDir ?? PROJECT_DIR);
  } catch (e) {
    if (e instanceof HolidaysError) return { errors: e.problems.map((p) => `${cfg.holidaysFile}: ${p}`), warnings };
    throw e;
  }
  const cal = createWorkingCalendar({ holidays, thursdayIsWorkingDay: cfg.thursdayIsWorkingDay, timeZone: cfg.timeZone });
  const now = opts.now ?? new Date();
  const year = cal.toJalali(now).year;
  if (!cal.holidayYears.includes(year)) {
    errors.push(`${cfg.holidaysFile}: no holidays for the current Jalali year ${year}; add its rows (official calendar) so working days are counted right`);
  }
  const warnDays = opts.warnDaysBeforeNewYear ?? 30;
  const nowruz = cal.fromJalali(year + 1, 1, 1);
  if (nowruz && cal.calendarDaysBetween(now, nowruz) <= warnDays && !cal.holidayYears.includes(year + 1)) {
    warnings.push(`${cfg.holidaysFile}: no holidays for the Jalali year ${year + 1}, which starts on ${nowruz}; add its rows before then`);
  }
  return { errors, warnings };
}
