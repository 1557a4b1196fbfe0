/**
 * CPU time and resident memory of another process, read from Linux's /proc/<pid>/stat (the
 * benchmark measures the service and Asterisk from outside, as `top` would).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

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
