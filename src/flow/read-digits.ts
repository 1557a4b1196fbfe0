/**
 * Reading the rest of a digit entry outside the call machine, as Asterisk's `Read()` does: once the
 * first digit of an entry is in, the entry's `collect` state invokes the `readDigits` step, and the
 * caller's next keys go to it through the call's Keypad instead of through the machine, one cheap
 * function call each. The machine hears of the entry again once, when it ends. A refund call keys
 * 18 of its 25 keys here: each was a macrostep of the machine (its guards, a context copy, a timer
 * cancelled and armed through xstate's scheduler), the largest single share of the service's CPU.
 *
 * The keys follow the rules the `collect` state had (./digit-entry.ts):
 *   0-9        appended; at the entry's maximum length the entry ends by itself (`full`)
 *   # (terminator)  the entry ends (`submit`)
 *   *          what was keyed is cleared and the prompt is played again (`restart`)
 *   A-D        ignored
 *   no key for the inter-digit timeout  the entry ends (`submit`)
 * Type-ahead keys (pressed before the entry listened) are read first; the ones after the end go back
 * to the type-ahead (`rest`). A `#` right after an entry that ended at its maximum length is dropped
 * (callers often end with # anyway): by the keypad, whether it comes before or after the machine
 * took the entry's end, so the machine's own swallow flag is not armed for these entries.
 *
 * Nothing here does I/O: the keypad is a router, the timer the platform's.
 */

export interface ReadDigitsInput {
  /** what the entry holds so far (its first digit) */
  buf: string;
  /** type-ahead keys, read first (the machine's `pending`) */
  keys: string;
  /** the previous entry ended at its maximum length: a # first is dropped */
  swallowHash: boolean;
  maxLength: number;
  terminator: string;
  /** no key for this long ends the entry */
  interDigitMs: number;
}

export type ReadEnd = 'submit' | 'full' | 'restart';

export interface ReadDigitsOutput {
  end: ReadEnd;
  /** the entry's value (empty after `restart`) */
  buf: string;
  /** type-ahead keys after the end: the type-ahead of what comes next */
  rest: string;
  /** how many type-ahead keys the input held (the machine's `pending` still holds them) */
  given: number;
}

/** One key of an entry: the entry's value after it, and how the entry ended (null: it goes on). */
export function readKey(buf: string, key: string, o: Pick<ReadDigitsInput, 'maxLength' | 'terminator'>): { buf: string; end: ReadEnd | null } {
  if (key === o.terminator) return { buf, end: 'submit' };
  if (key === '*') return { buf: '', end: 'restart' };
  if (key.length === 1 && key >= '0' && key <= '9') {
    const next = buf + key;
    return { buf: next, end: next.length >= o.maxLength ? 'full' : null };
  }
  return { buf, end: null };
}

/**
 * A call's keypad: where the caller's keys go. While an entry's digits are read, to the reader;
 * otherwise to the call machine (`press` returns false and the caller sends the key as a DTMF event).
 */
export class Keypad {
  private reader: ((key: string) => void) | null = null;
  /** an entry just ended at its maximum length: a # next is dropped (any other key clears this) */
  private dropHash = false;

  /** true when a reader took the key (or it was a dropped #); false: the key is the machine's */
  press(key: string): boolean {
    const r = this.reader;
    if (r) {
      r(key);
      return true;
    }
    if (this.dropHash) {
      this.dropHash = false;
      if (key === '#') return true;
    }
    return false;
  }

  /** the entry read last ended at its maximum length: drop a # pressed next */
  dropNextHash(): void {
    this.dropHash = true;
  }

  get reading(): boolean {
    return this.reader !== null;
  }

  /** the keys go to `fn` until the returned function is called */
  attach(fn: (key: string) => void): () => void {
    if (this.reader) throw new Error('keypad: an entry is already being read');
    this.reader = fn;
    this.dropHash = false;
    return () => {
      if (this.reader === fn) this.reader = null;
    };
  }
}

/**
 * The `readDigits` step of one call (./ports.ts form: input and abort signal → promise). Resolves
 * when the entry ends; when the flow leaves the entry first (the caller hung up), the signal aborts
 * it, the keypad goes back to the machine and the timer is cleared.
 */
export function readDigits(keypad: Keypad) {
  return ({ input, signal }: { input: ReadDigitsInput; signal: AbortSignal }): Promise<ReadDigitsOutput> => {
    const given = input.keys.length;
    let buf = input.buf;
    // the type-ahead first, with the same rules
    for (let i = 0; i < given; i++) {
      const key = input.keys[i]!;
      if (i === 0 && input.swallowHash && key === '#') continue;
      const r = readKey(buf, key, input);
      buf = r.buf;
      if (r.end) {
        let rest = input.keys.slice(i + 1);
        if (r.end === 'full') {
          if (rest[0] === '#') rest = rest.slice(1);
          else if (rest === '') keypad.dropNextHash();
        }
        return Promise.resolve({ end: r.end, buf, rest, given });
      }
    }
    if (signal.aborted) return Promise.resolve({ end: 'submit', buf, rest: '', given });
    return new Promise<ReadDigitsOutput>((resolve) => {
      const end = (how: ReadEnd) => {
        clearTimeout(timer);
        detach();
        if (how === 'full') keypad.dropNextHash();
        signal.removeEventListener('abort', onAbort);
        resolve({ end: how, buf, rest: '', given });
      };
      // the flow left the entry (its result is not used)
      const onAbort = () => end('submit');
      const detach = keypad.attach((key) => {
        const r = readKey(buf, key, input);
        if (r.end) {
          buf = r.buf;
          end(r.end);
        } else if (r.buf !== buf) {
          // a digit restarts the inter-digit timeout (A-D do not)
          buf = r.buf;
          timer.refresh();
        }
      });
      const timer = setTimeout(() => end('submit'), input.interDigitMs);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  };
}
