/**
 * SMS text of the nearest stores (before purchase 3), and SMS part counting.
 *
 * Persian text is sent as UCS-2: 70 characters (UTF-16 code units) fit one SMS; a longer text is
 * split in parts of 67 (each part carries a concatenation header). Texts of only GSM-7 characters
 * fit 160 / 153. The stores message lists whole stores in the order given until the next store
 * would need more than `maxParts` parts; the stores left out are counted in a last line
 * ("و ۳ فروشگاه دیگر"). A store never goes out cut in the middle: when not even the first store
 * fits whole, it goes in its short form (name and phone), and the "more" line is dropped if need be;
 * only a name too long for the parts allowed is cut.
 */
import type { Store } from '../domain/data-file.ts';
import { toPersianDigits } from '../store/normalize.ts';

// GSM 03.38 basic set (single septet) and the extension table (two septets)
const GSM_BASIC = new Set(
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà',
);
const GSM_EXT = new Set('^{}\\[~]|€');

export interface SmsCount {
  encoding: 'gsm7' | 'ucs2';
  /** characters as the network counts them (septets for GSM-7, UTF-16 units for UCS-2) */
  length: number;
  parts: number;
}

export function countSms(text: string): SmsCount {
  let gsm = true;
  let septets = 0;
  for (const ch of text) {
    if (GSM_BASIC.has(ch)) septets += 1;
    else if (GSM_EXT.has(ch)) septets += 2;
    else {
      gsm = false;
      break;
    }
  }
  if (gsm) return { encoding: 'gsm7', length: septets, parts: septets <= 160 ? 1 : Math.ceil(septets / 153) };
  const units = text.length; // UTF-16 code units; a character outside the BMP counts twice, as on the air
  return { encoding: 'ucs2', length: units, parts: units <= 70 ? 1 : Math.ceil(units / 67) };
}

export interface StoresSms {
  text: string;
  parts: number;
  /** how many stores the text lists (the first `included` of the list given) */
  included: number;
}

const HEADER = 'فروشگاه‌های انتخاب:';

function storeLine(i: number, s: Store, short: boolean): string {
  const bits = [s.name];
  if (!short && s.address) bits.push(s.address);
  if (s.phone) bits.push(`تلفن ${s.phone}`);
  return `${toPersianDigits(String(i + 1))}- ${bits.join('، ')}`;
}

function moreLine(n: number): string {
  return `و ${toPersianDigits(String(n))} فروشگاه دیگر`;
}

/** The nearest-stores SMS: as many whole stores as fit in maxParts parts (see the file comment). */
export function formatStoresSms(stores: readonly Store[], maxParts: number): StoresSms {
  if (!Number.isInteger(maxParts) || maxParts < 1) throw new Error(`maxParts must be a whole number ≥ 1 (got ${maxParts})`);
  const fits = (t: string) => countSms(t).parts <= maxParts;
  const lines = [HEADER];
  let included = 0;
  for (let i = 0; i < stores.length; i++) {
    const left = stores.length - i - 1;
    const candidate = [...lines, storeLine(i, stores[i]!, false)];
    const withTail = left > 0 ? [...candidate, moreLine(left)] : candidate;
    // the store fits if the text with it still fits, leaving room for the "and N more" line when
    // stores remain (or the remaining stores would fit too: checked on the next turn)
    if (fits(withTail.join('\n')) || (left > 0 && fits(candidate.join('\n')) && fitsAll(stores, i + 1, candidate, maxParts))) {
      lines.push(storeLine(i, stores[i]!, false));
      included++;
      continue;
    }
    break;
  }
  if (included === 0 && stores.length > 0) {
    // not even one full store fits: the first one in its short form (name and phone), without the
    // "and N more" line if need be, its name cut only as a last resort
    const short = storeLine(0, stores[0]!, true);
    const tail = stores.length > 1 ? moreLine(stores.length - 1) : '';
    if (tail && fits([HEADER, short, tail].join('\n'))) return finish([HEADER, short, tail], 1);
    let line = short;
    while (line.length > 4 && !fits(`${HEADER}\n${line}`)) line = line.slice(0, -1);
    return finish([HEADER, line], 1);
  }
  if (included < stores.length) lines.push(moreLine(stores.length - included));
  return finish(lines, included);
}

function finish(lines: string[], included: number): StoresSms {
  const text = lines.join('\n');
  return { text, parts: countSms(text).parts, included };
}

function fitsAll(stores: readonly Store[], from: number, lines: string[], maxParts: number): boolean {
  const all = [...lines];
  for (let j = from; j < stores.length; j++) all.push(storeLine(j, stores[j]!, false));
  return countSms(all.join('\n')).parts <= maxParts;
}
