/**
 * Turns what to say (SayItem[]) into prompt names and ARI media URIs (pure: no fs).
 * The result is played as ONE playback (a media list), so a key pressed anywhere stops it.
 */
import type { SayItem } from '../domain/say.ts';
import { spellAmount, spellCount, spellDate, spellDigits, spellIdentifier, spellNumber } from './numbers.ts';

/** The folder of our prompts under Asterisk's sounds/<lang>/ (`sound:ivr-1699/<name>`). */
export const SOUND_FOLDER = 'ivr-1699';

/** Prompt names: lowercase kebab-case words, optionally under folders (`num/20-o`, `welcome`). */
export const PROMPT_NAME = /^[a-z0-9]+(?:-[a-z0-9]+)*(?:\/[a-z0-9]+(?:-[a-z0-9]+)*)*$/;

export function isPromptName(name: string): boolean {
  return PROMPT_NAME.test(name);
}

/** The prompt names of one item. */
export function composeItem(item: SayItem): string[] {
  switch (item.kind) {
    case 'prompt':
      if (!isPromptName(item.name)) {
        throw new RangeError(`prompt: '${item.name}' is not a prompt name; use lowercase kebab-case, e.g. 'welcome' or 'num/20'`);
      }
      return [item.name];
    case 'amount':
      return spellAmount(item.value);
    case 'number':
      return spellNumber(item.value);
    case 'count':
      return spellCount(item.value);
    case 'digits':
      return spellDigits(item.value);
    case 'date':
      return spellDate(item.value);
    case 'identifier':
      return spellIdentifier(item.value, item.format);
    default: {
      const k = (item as { kind?: unknown }).kind;
      throw new RangeError(`say item: unknown kind '${String(k)}'; expected prompt, amount, number, count, digits, date or identifier`);
    }
  }
}

/** compose([say.prompt('refund-registered'), say.amount(450000)]) → ['refund-registered', 'num/400-o', …, 'word/toman']. */
export function compose(items: readonly SayItem[]): string[] {
  return items.flatMap(composeItem);
}

/** Prompt names → ARI media URIs: 'num/20' → 'sound:ivr-1699/num/20'. */
export function toMedia(names: readonly string[]): string[] {
  return names.map((n) => `sound:${SOUND_FOLDER}/${n}`);
}

/** The inverse of toMedia for one URI ('sound:ivr-1699/num/20' → 'num/20'); undefined for other media. */
export function fromMedia(uri: string): string | undefined {
  const prefix = `sound:${SOUND_FOLDER}/`;
  return uri.startsWith(prefix) ? uri.slice(prefix.length) : undefined;
}

/** Where toPersianText looks texts up: a catalogue's entries, a plain map or a function. */
export type TextLookup =
  | ReadonlyMap<string, { text: string }>
  | Readonly<Record<string, { text: string } | string>>
  | ((name: string) => string | undefined);

function lookupText(texts: TextLookup, name: string): string | undefined {
  if (typeof texts === 'function') return texts(name);
  if (texts instanceof Map) return (texts as ReadonlyMap<string, { text: string }>).get(name)?.text;
  const v = (texts as Readonly<Record<string, { text: string } | string>>)[name];
  return typeof v === 'string' ? v : v?.text;
}

/**
 * The Persian text of a list of prompts (catalogue texts joined by spaces), for the CLI and logs.
 * A name without a text shows as `[name]`.
 */
export function toPersianText(names: readonly string[], texts: TextLookup): string {
  return names.map((n) => lookupText(texts, n) ?? `[${n}]`).join(' ');
}
