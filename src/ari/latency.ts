/**
 * A latency histogram with fine logarithmic buckets (each 5% wider than the one before, from
 * 10 µs to about 10 minutes): cheap to record (one log and one increment), and any two snapshots
 * can be subtracted to get the distribution of an interval (the benchmark does that per step).
 * Percentiles read from it are the upper edge of their bucket: at most 5% above the true value.
 */
const MIN_MS = 0.01;
const GROWTH = 1.05;
const LOG_GROWTH = Math.log(GROWTH);
const BUCKETS = Math.ceil(Math.log(600_000 / MIN_MS) / LOG_GROWTH) + 1;

/** Upper edge (ms) of bucket i. */
export function bucketUpperMs(i: number): number {
  return MIN_MS * GROWTH ** i;
}

export interface HistogramSnapshot {
  count: number;
  sumMs: number;
  maxMs: number;
  /** [bucket index, count] for every non-empty bucket */
  buckets: [number, number][];
}

export class LatencyHistogram {
  private counts = new Uint32Array(BUCKETS);
  private count = 0;
  private sumMs = 0;
  private maxMs = 0;

  record(ms: number): void {
    const v = ms > 0 ? ms : 0;
    const i = v <= MIN_MS ? 0 : Math.min(BUCKETS - 1, Math.ceil(Math.log(v / MIN_MS) / LOG_GROWTH));
    this.counts[i]!++;
    this.count++;
    this.sumMs += v;
    if (v > this.maxMs) this.maxMs = v;
  }

  snapshot(): HistogramSnapshot {
    const buckets: [number, number][] = [];
    for (let i = 0; i < BUCKETS; i++) if (this.counts[i]) buckets.push([i, this.counts[i]!]);
    return { count: this.count, sumMs: this.sumMs, maxMs: this.maxMs, buckets };
  }
}

/** The recordings between two snapshots (the interval's max is its highest bucket's upper edge). */
export function histogramDiff(after: HistogramSnapshot, before?: HistogramSnapshot): HistogramSnapshot {
  if (!before) return after;
  const prev = new Map(before.buckets);
  const buckets: [number, number][] = [];
  for (const [i, n] of after.buckets) {
    const d = n - (prev.get(i) ?? 0);
    if (d > 0) buckets.push([i, d]);
  }
  const top = buckets.at(-1);
  return { count: after.count - before.count, sumMs: after.sumMs - before.sumMs, maxMs: top ? Math.min(after.maxMs, bucketUpperMs(top[0])) : 0, buckets };
}

/** The p-th percentile (0-100) of a snapshot, as its bucket's upper edge; NaN when empty. */
export function histogramPercentile(s: HistogramSnapshot, p: number): number {
  if (s.count === 0) return NaN;
  const rank = Math.max(1, Math.ceil((p / 100) * s.count));
  let seen = 0;
  for (const [i, n] of s.buckets) {
    seen += n;
    if (seen >= rank) return Math.min(bucketUpperMs(i), s.maxMs || bucketUpperMs(i));
  }
  return s.maxMs;
}
