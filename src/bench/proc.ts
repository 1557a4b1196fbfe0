/**
 * CPU time and resident memory of another process, read from Linux's /proc/<pid>/stat (the
 * benchmark measures the service and Asterisk from outside, as `top` would).
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

export interface ProcSample {
  /** user + system CPU time since the process started (ms; the kernel counts in clock ticks) */
  cpuMs: number;
  rssBytes: number;
}

let ticksPerSecond: number | undefined;
let pageSize: number | undefined;

function sysconf(name: string, fallback: number): number {
  try {
    const n = Number(execFileSync('getconf', [name], { encoding: 'utf8' }).trim());
    return Number.isFinite(n) && n > 0 ? n : fallback;
  } catch {
    return fallback;
  }
}

/** Reads /proc/<pid>/stat; undefined when the process is gone (or this is not Linux). */
export function readProc(pid: number): ProcSample | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  ticksPerSecond ??= sysconf('CLK_TCK', 100);
  pageSize ??= sysconf('PAGESIZE', 4096);
  // the command name (field 2) is in parentheses and may hold spaces: count the fields after the last ')'
  const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // proc(5), 1-based: 14 utime, 15 stime, 24 rss (pages); f[0] is field 3
  const utime = Number(f[11]);
  const stime = Number(f[12]);
  const rss = Number(f[21]);
  return { cpuMs: ((utime + stime) * 1000) / ticksPerSecond, rssBytes: rss * pageSize };
}

export interface ThreadsCpu {
  /** the main thread: JavaScript, the event loop */
  mainMs: number;
  /** every other thread: V8's optimizing compiler and garbage-collector helpers, libuv's pool */
  otherMs: number;
  /**
   * times the main thread / the other threads were put on a CPU (schedstat's third field: each
   * wake-up from a wait is one; NaN where the kernel keeps no schedstat)
   */
  mainRuns: number;
  otherRuns: number;
}

/**
 * CPU time of a process split into its main thread and the rest, in nanosecond precision where
 * the kernel keeps /proc/<pid>/task/<tid>/schedstat (else clock ticks from each thread's stat).
 * Undefined when the process is gone. Threads that ended meanwhile drop out of the sum, so compare
 * two readings of a long-lived process only (Node's threads live as long as it does).
 */
export function readThreadsCpu(pid: number): ThreadsCpu | undefined {
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return undefined;
  }
  const out: ThreadsCpu = { mainMs: 0, otherMs: 0, mainRuns: 0, otherRuns: 0 };
  for (const tid of tids) {
    const t = threadCpu(pid, tid);
    if (t === undefined) continue;
    if (tid === String(pid)) {
      out.mainMs += t.ms;
      out.mainRuns += t.runs;
    } else {
      out.otherMs += t.ms;
      out.otherRuns += t.runs;
    }
  }
  return out;
}

function threadCpu(pid: number, tid: string): { ms: number; runs: number } | undefined {
  try {
    // schedstat: time on a CPU (ns), time waiting to run (ns), timeslices run (each wake-up is one)
    const f = readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ');
    return { ms: Number(f[0]) / 1e6, runs: Number(f[2]) };
  } catch {
    try {
      const text = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
      ticksPerSecond ??= sysconf('CLK_TCK', 100);
      return { ms: ((Number(f[11]) + Number(f[12])) * 1000) / ticksPerSecond, runs: NaN };
    } catch {
      return undefined;
    }
  }
}
