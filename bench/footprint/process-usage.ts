/**
 * What one process costs, read from /proc (Linux): CPU time of all its threads in nanoseconds (from
 * each thread's schedstat, finer than the 10 ms ticks of /proc/PID/stat), resident set and its peak.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** CPU time the process's live threads have run, ns; falls back to utime+stime ticks when schedstat is absent. */
export function cpuNs(pid: number): number {
  try {
    let total = 0;
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      total += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
    }
    return total;
  } catch {
    // schedstat off in this kernel: clock ticks (USER_HZ is 100 on Linux) → ns.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10_000_000;
  }
}

/** Resident set size and its high-water mark (VmHWM), bytes. */
export function memoryBytes(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string): number =>
    Number(new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? 0);
  return { rss: kb('VmRSS') * 1024, peak: kb('VmHWM') * 1024 };
}
