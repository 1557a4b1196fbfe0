/**
 * `ivr-1699 say VALUE --as amount|number|digits|date|count [--weekday] [--wav FILE] [--dir DIR]`
 * Prints the fragments the IVR would play for a value and their Persian text; with --wav writes the
 * concatenated 8 kHz audio for an admin to listen to.
 */
import { copyFileSync, existsSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { execFile } from 'node:child_process';
import { normalizeText, parseJalaliText } from '../../store/normalize.ts';
import { parseOptions, UsageError } from '../usage-error.ts';
import { loadCatalogue } from '../../speech/catalogue.ts';
import { toMedia, toPersianText } from '../../speech/compose.ts';
import { spellAmount, spellCount, spellDate, spellDigits, spellIdentifier, spellNumber } from '../../speech/numbers.ts';
import { promptsFolder } from '../../app/stack.ts';
import { loadConfig } from '../../config/load.ts';

export const summary = 'show (and optionally write as audio) how the IVR says an amount, number, digits or date';

const KINDS = ['amount', 'number', 'digits', 'date', 'count', 'national-id', 'mobile', 'order-number', 'request-number'] as const;
type Kind = (typeof KINDS)[number];

const HELP = `usage: ivr-1699 say VALUE --as ${KINDS.join('|')} [--weekday] [--rial] [--wav FILE] [--json] [--dir DIR]
  amount  whole Toman, e.g. 450000 (--rial says it in Rial)
  number  a cardinal 0 … 999999999999
  count   a count (cardinal)
  digits  read digit by digit, e.g. 0499370899 or R-000123
  date    a Jalali date (1403/05/17 or 1403-05-17) or a Gregorian one (2024-08-07, an ISO-8601
          time), said in the Jalali calendar (--weekday adds the weekday)
  Persian and Arabic-Indic digits are accepted (۱۲۵۰۰۰۰).
  national-id, mobile, order-number   read back in groups with pauses (049 937089 9; 0912 123 4567)
  request-number   without padding zeros, e.g. R-000123 → 123
  --wav FILE   write the fragments' audio, joined, as one 8 kHz mono WAV (needs sox)`;

function parseNumber(kind: Kind, v: string): number {
  const s = v.replace(/[,_\s٬]/g, '');
  if (!/^\d+$/.test(s)) throw new UsageError(`--as ${kind}: '${v}' is not a whole number; use digits only, e.g. 450000`);
  return Number(s);
}

export function fragmentsFor(raw: string, kind: Kind, opts: { weekday?: boolean; rial?: boolean } = {}): string[] {
  // Persian (۱۲۵۰۰۰۰) and Arabic-Indic digits are read as the digits they are
  const value = normalizeText(raw);
  try {
    switch (kind) {
      case 'amount':
        return spellAmount(parseNumber(kind, value), { unit: opts.rial ? 'rial' : 'toman' });
      case 'number':
        return spellNumber(parseNumber(kind, value));
      case 'count':
        return spellCount(parseNumber(kind, value));
      case 'digits':
        return spellDigits(value);
      case 'date': {
        // a Jalali date (1403/05/17, 1403-05-17, ۱۴۰۳/۰۵/۱۷) is read as one, never as Gregorian year 1403
        const jalali = parseJalaliText(value);
        if (jalali) return spellDate(jalali, { weekday: opts.weekday ?? false });
        const year = /^(\d{4})\b/.exec(value)?.[1];
        if (!year || Number(year) < 1900) {
          throw new UsageError(`--as date: '${raw}' is not a date; give a Jalali date like 1403/05/17 or a Gregorian one like 2024-08-07 (or an ISO-8601 time)`);
        }
        return spellDate(value, { weekday: opts.weekday ?? false });
      }
      case 'national-id':
      case 'mobile':
      case 'order-number':
      case 'request-number':
        return spellIdentifier(value, kind);
    }
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError((e as Error).message);
  }
}

export async function run(argv: string[]): Promise<number> {
  const parsed = parseOptions({
    args: argv,
    allowPositionals: true,
    options: {
      as: { type: 'string' },
      wav: { type: 'string' },
      dir: { type: 'string' },
      weekday: { type: 'boolean', default: false },
      rial: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  }, `\n${HELP}`);
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(HELP + '\n');
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError(`give exactly one VALUE\n${HELP}`);
  const kind = values.as as Kind | undefined;
  if (!kind || !KINDS.includes(kind)) throw new UsageError(`--as must be one of ${KINDS.join(', ')} (got ${values.as ?? 'nothing'})\n${HELP}`);
  const dir = values.dir ?? promptsFolder(loadConfig());
  const names = fragmentsFor(positionals[0]!, kind, { weekday: values.weekday, rial: values.rial });
  const catalogue = loadCatalogue(join(dir, 'catalogue'));
  const text = toPersianText(names, catalogue.entries);
  if (values.json) {
    process.stdout.write(JSON.stringify({ fragments: names, media: toMedia(names), text }) + '\n');
  } else {
    process.stdout.write(`fragments: ${names.join(' ')}\n`);
    process.stdout.write(`text:      ${text}\n`);
  }
  if (values.wav) {
    const missing = names.filter((n) => !existsSync(join(dir, `${n}.wav`)));
    if (missing.length) {
      throw new Error(`no audio for ${missing.map((n) => `${join(dir, n)}.wav`).join(', ')}; run 'ivr-1699 prompts build'`);
    }
    const tmp = mkdtempSync(join(tmpdir(), 'ivr-1699-say-'));
    try {
      const out = join(tmp, 'say.wav');
      // sox concatenates its inputs; all are 8 kHz mono 16-bit
      await promisify(execFile)('sox', ['-D', '-V1', ...names.map((n) => join(dir, `${n}.wav`)), '-r', '8000', '-c', '1', '-b', '16', out]).catch((e: Error) => {
        throw new Error(`sox failed (${e.message.split('\n')[0]}); install it with 'apt-get install -y sox'`);
      });
      try {
        renameSync(out, values.wav);
      } catch {
        copyFileSync(out, values.wav);
      }
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
    process.stdout.write(`wrote ${values.wav}\n`);
  }
  return 0;
}
