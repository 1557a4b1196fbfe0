/**
 * The `--keys` script of `ivr-1699 call`: groups separated by spaces; each group is keyed when
 * the IVR next listens (IVR_NODE is set). A group holds DTMF characters 0-9 * #; `w` keys nothing
 * and lets the IVR's timeout act; `h` hangs up.
 */
export type KeyGroup = { kind: 'dtmf'; digits: string } | { kind: 'wait' } | { kind: 'hangup' };

export class KeyScriptError extends Error {
  override name = 'KeyScriptError';
}

export function parseKeys(script: string): KeyGroup[] {
  const groups: KeyGroup[] = [];
  for (const g of script.trim().split(/\s+/).filter(Boolean)) {
    if (g === 'w') groups.push({ kind: 'wait' });
    else if (g === 'h') groups.push({ kind: 'hangup' });
    else if (/^[0-9*#]+$/.test(g)) groups.push({ kind: 'dtmf', digits: g });
    else throw new KeyScriptError(`--keys: group "${g}" is not DTMF (0-9 * #), "w" (wait) or "h" (hang up)`);
  }
  return groups;
}
