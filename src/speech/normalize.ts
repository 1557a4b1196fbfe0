/**
 * Text normalisation for the draft voice (pure): digits, amounts and dates written in a prompt's
 * text are spelled out as words, with the same fragments (and their draft spellings) that the
 * composer plays, so a draft sounds like the composed say-back.
 */
import { spellDate, spellDigits, spellNumber, toLatinDigits } from './numbers.ts';

/** Looks up a fragment's text and draft spelling (e.g. from a Catalogue's entries). */
export type FragmentLookup = (name: string) => { text: string; speak?: string } | undefined;

const MONTHS_IN_TEXT = 12;

function words(names: string[], lookup: FragmentLookup): string {
  return names
    .map((n) => {
      const e = lookup(n);
      if (!e) throw new Error(`fragment '${n}' is missing from the catalogue (prompts/fa/catalogue/fragments.yaml)`);
      return e.speak ?? e.text;
    })
    .join(' ');
}

/**
 * The text to give the speech engine: 1403/01/15 → "پانزدهم فروردین هزارُ چهارصدُ سه";
 * 450,000 → "چهارصدُ پنجاه هزار"; 021 (leading zero) → read digit by digit; and "بیست و یک"
 * written in words gets the spoken "-o" spelling of its fragments.
 */
export function normaliseForSpeech(text: string, lookup: FragmentLookup): string {
  let t = toLatinDigits(text).replace(/(\d)[\u066C,](?=\d{3}\b)/g, '$1');
  // dates: Jalali when the year is below 1700 (1403/01/15), otherwise Gregorian (2024-04-03)
  t = t.replace(/\b(\d{4})[/-](\d{1,2})[/-](\d{1,2})\b/g, (all, y: string, m: string, d: string) => {
    const year = Number(y);
    const month = Number(m);
    const day = Number(d);
    if (month < 1 || month > MONTHS_IN_TEXT || day < 1 || day > 31) return all;
    if (year < 1700) return ` ${words([`day/${day}`, `month/${month}`, ...spellNumber(year)], lookup)} `;
    const iso = `${y}-${m.padStart(2, '0')}-${d.padStart(2, '0')}`;
    try {
      return ` ${words(spellDate(iso), lookup)} `;
    } catch {
      return all;
    }
  });
  t = t.replace(/\d+/g, (run) =>
    ` ${words((run.length > 1 && run.startsWith('0')) || run.length > 12 ? spellDigits(run) : spellNumber(Number(run)), lookup)} `,
  );
  // number words written out with a separate "و": use the fragments' "-o" spellings
  const tokens = t.split(/\s+/).filter(Boolean);
  const out: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const tok = tokens[i]!;
    if (tokens[i + 1] === 'و') {
      const o = oSpelling(tok, lookup);
      if (o) {
        out.push(o);
        i++;
        continue;
      }
    }
    out.push(tok);
  }
  return out.join(' ');
}

const oCache = new WeakMap<FragmentLookup, Map<string, string>>();

/** The draft spelling of "<number word> و" (from num/N-o), if the token is a number word. */
function oSpelling(token: string, lookup: FragmentLookup): string | undefined {
  let map = oCache.get(lookup);
  if (!map) {
    map = new Map();
    const bases = [20, 30, 40, 50, 60, 70, 80, 90, 100, 200, 300, 400, 500, 600, 700, 800, 900, 1000, 1_000_000, 1_000_000_000];
    for (const b of bases) {
      const plain = lookup(`num/${b}`);
      const o = lookup(`num/${b}-o`);
      if (plain && o?.speak) map.set(plain.text, o.speak);
    }
    oCache.set(lookup, map);
  }
  return map.get(token);
}
