/**
 * A Pi-class budget for one process: a cgroup v1 pair under /sys/fs/cgroup/{cpu,memory} with a CPU
 * quota (share of one core) and a memory limit. Needs root and writable cgroup v1 mounts (CI has
 * both); where they are missing, createCgroupBudget says why instead of failing.
 */
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = '/sys/fs/cgroup';
const PERIOD_US = 100_000;

/** A cgroup pair the gateway is started in. */
export interface CgroupBudget {
  /** Wraps a command so the process joins the cgroups before it execs (start-up counts too). */
  wrap(command: string, args: string[]): { command: string; args: string[] };
  /** Throttling and memory events so far. */
  report(): {
    throttledPeriods: number;
    throttledMs: number;
    memoryPeakBytes: number;
    oomKills: number;
    memoryFailcnt: number;
  };
  /** Removes the cgroups (the process must have exited). */
  remove(): void;
}

/** Creates the budget, or resolves the reason it cannot (then the bench skips that part). */
export function createCgroupBudget(cpuShare: number, memoryBytes: number): CgroupBudget | string {
  const name = `egw-footprint-${process.pid}`;
  const cpu = join(ROOT, 'cpu', name);
  const memory = join(ROOT, 'memory', name);
  if (
    !existsSync(join(ROOT, 'cpu', 'cpu.cfs_quota_us')) ||
    !existsSync(join(ROOT, 'memory', 'memory.limit_in_bytes'))
  )
    return 'cgroup v1 cpu and memory controllers are not mounted at /sys/fs/cgroup';
  try {
    mkdirSync(cpu);
    mkdirSync(memory);
    writeFileSync(join(cpu, 'cpu.cfs_period_us'), String(PERIOD_US));
    writeFileSync(join(cpu, 'cpu.cfs_quota_us'), String(Math.round(PERIOD_US * cpuShare)));
    writeFileSync(join(memory, 'memory.limit_in_bytes'), String(memoryBytes));
    // Without this the limit only bounds RAM and the process would swap instead of meeting the limit.
    const memsw = join(memory, 'memory.memsw.limit_in_bytes');
    if (existsSync(memsw)) writeFileSync(memsw, String(memoryBytes));
  } catch (error) {
    for (const dir of [cpu, memory]) if (existsSync(dir)) rmdirSync(dir);
    return `cgroups not writable here (${(error as Error).message})`;
  }
  const read = (file: string): string => readFileSync(file, 'utf8');
  const field = (text: string, key: string): number =>
    Number(new RegExp(`^${key} (\\d+)`, 'm').exec(text)?.[1] ?? 0);
  return {
    wrap: (command, args) => ({
      command: '/bin/sh',
      args: [
        '-c',
        `echo $$ > ${cpu}/cgroup.procs && echo $$ > ${memory}/cgroup.procs && exec "$@"`,
        'sh',
        command,
        ...args,
      ],
    }),
    report: () => {
      const cpuStat = read(join(cpu, 'cpu.stat'));
      return {
        throttledPeriods: field(cpuStat, 'nr_throttled'),
        throttledMs: field(cpuStat, 'throttled_time') / 1e6,
        memoryPeakBytes: Number(read(join(memory, 'memory.max_usage_in_bytes'))),
        oomKills: field(read(join(memory, 'memory.oom_control')), 'oom_kill'),
        memoryFailcnt: Number(read(join(memory, 'memory.failcnt'))),
      };
    },
    remove: () => {
      for (const dir of [cpu, memory]) if (existsSync(dir)) rmdirSync(dir);
    },
  };
}
