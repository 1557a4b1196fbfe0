/**
 * The service process's heap-growth policy (config service.heap.growingPercent,
 * IVR_HEAP_GROWING_PERCENT). A call's objects are replaced at each of its events and live until the
 * next one, seconds later: they survive the young generation's collections and are promoted, so
 * the old generation fills with garbage between full collections. V8 lets it grow to several times
 * what the last full collection left alive (its growing factor goes up to 4 for a fast-allocating
 * heap), which at 1,000 calls was 200-500 KB of RSS per active call for ~30 KB of live objects.
 * `--heap-growing-percent=P` makes V8 start its next (incremental, mostly concurrent) marking once
 * the old generation has grown P% past the live size. It is not a limit: the heap still grows
 * with the live size, so more calls than planned only cost more memory, never a crash.
 *
 * Applied by `ivr-1699 serve` (npm start, the image, the bench's service) at start: V8 reads the
 * flag each time it sets the next limit, so setting it at run time is the same as on the command
 * line. A `--heap-growing-percent` given on the command line or in NODE_OPTIONS wins.
 */
import v8 from 'node:v8';

export type HeapPolicy = { applied: 'growing-percent'; percent: number } | { applied: 'none'; why: 'v8-default' | 'command-line' };

const FLAG = '--heap-growing-percent';

/** Sets V8's heap growing percent for this process (0: leaves V8's own policy). */
export function applyHeapPolicy(growingPercent: number, execArgv: readonly string[] = process.execArgv, nodeOptions: string = process.env.NODE_OPTIONS ?? ''): HeapPolicy {
  // V8 reads --heap_growing_percent as well: compare with dashes
  const given = [...execArgv, ...nodeOptions.split(/\s+/)].some((a) => {
    const f = a.replace(/_/g, '-');
    return f === FLAG || f.startsWith(`${FLAG}=`);
  });
  if (given) return { applied: 'none', why: 'command-line' };
  if (!(growingPercent > 0)) return { applied: 'none', why: 'v8-default' };
  v8.setFlagsFromString(`${FLAG}=${Math.round(growingPercent)}`);
  return { applied: 'growing-percent', percent: Math.round(growingPercent) };
}
