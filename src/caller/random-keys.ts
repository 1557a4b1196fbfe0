/**
 * Seeded, reproducible random key scripts for robustness runs: mostly plausible callers
 * (menu keys, whole national IDs and order numbers of the data, question answers) mixed with
 * noise (wrong keys, *, #, waits, half-keyed entries, hang-ups).
 */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface RandomScriptOptions {
  /** pairs known to the data, to reach the deep paths */
  pairs: { nationalId: string; orderNumber: string }[];
  maxGroups?: number;
  /** probability that a script contains a hang-up */
  hangupRate?: number;
}

export function randomScript(rnd: () => number, o: RandomScriptOptions): string {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const digits = (n: number) => Array.from({ length: n }, () => String(Math.floor(rnd() * 10))).join('');
  const groups: string[] = [];
  if (rnd() < 0.4) {
    // a plausible caller: during/after purchase, a topic, the IDs (sometimes of another order), answers; one noisy group
    const pair = pick(o.pairs);
    const other = pick(o.pairs);
    const main = pick(['2', '3']);
    groups.push(main, String(1 + Math.floor(rnd() * (main === '2' ? 3 : 7))), `${pair.nationalId}#`, `${(rnd() < 0.85 ? pair : other).orderNumber}#`, pick(['1', '2']), pick(['1', '2']));
    if (rnd() < 0.5) groups.splice(1 + Math.floor(rnd() * groups.length), 0, pick(['w', '*', '9', '0#', digits(4)]));
    if (rnd() < (o.hangupRate ?? 0.05)) groups.splice(Math.floor(rnd() * (groups.length + 1)), 0, 'h');
    return groups.join(' ');
  }
  const n = 1 + Math.floor(rnd() * (o.maxGroups ?? 9));
  for (let i = 0; i < n; i++) {
    const r = rnd();
    const pair = pick(o.pairs);
    if (r < 0.35) groups.push(pick(['1', '2', '3', '4', '5', '6', '7']));
    else if (r < 0.45) groups.push(`${pair.nationalId}#`);
    else if (r < 0.55) groups.push(`${pair.orderNumber}#`);
    else if (r < 0.62) groups.push(pick(['0', '*', '#', '8', '9']));
    else if (r < 0.7) groups.push('w');
    else if (r < 0.78) groups.push(digits(1 + Math.floor(rnd() * 12)) + (rnd() < 0.5 ? '#' : ''));
    else if (r < 0.86) groups.push(pick(['021#', '031#', '051#', '017#', '09121234567#']));
    else groups.push(pick(['1', '2']));
  }
  if (rnd() < (o.hangupRate ?? 0.05)) groups.splice(Math.floor(rnd() * (groups.length + 1)), 0, 'h');
  return groups.join(' ');
}
