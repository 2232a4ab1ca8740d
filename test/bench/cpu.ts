import fs from 'node:fs';
import { SERVICES } from '@baedal/platform';

/*
 * Where the CPU went during a measurement: CPU time of every process on the
 * machine, read from /proc before and after, grouped by what the process is
 * (gateway, each subgraph, workers, Postgres by database, Redis, the load generator).
 * A coarse profile across processes; --profile adds V8's own inside them.
 */

/** Linux's USER_HZ: /proc reports CPU time in these ticks. */
const TICKS_PER_SECOND = 100;

const GROUPS: [RegExp, string][] = [
  [/gateway\/dist\/server\.js/, 'gateway'],
  [/subgraphs\/payments\/dist\/providerSimulator\.js/, 'providers'],
  [/subgraphs\/(\w+)\/dist\/server\.js/, '$1'],
  [/workers\/dist\/main\.js/, 'workers'],
  [/bench\/bareServer\.js/, 'bare server (a)'],
  [/bench\/naiveGateway\.js/, 'plain gateway (b)'],
  // A backend's title names its database ("postgres: 15/main: <user> <database> <client> <state>"): Postgres's
  // CPU is charged to the service whose database it served, so a profile says which database an order costs most.
  [new RegExp(`^postgres: \\S+ \\S+ \\w*_(${SERVICES.join('|')}) `), 'postgres ($1)'],
  [/^postgres/, 'postgres (server)'],
  [/^redis-server/, 'redis'],
];

export type CpuSnapshot = Map<string, number>;

function groupOf(pid: string, self: number): string | null {
  if (Number(pid) === self) return 'load generator';
  let cmdline: string;
  try {
    cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
  } catch {
    return null;
  }
  for (const [pattern, name] of GROUPS) {
    const match = cmdline.match(pattern);
    if (match) return name.replace('$1', match[1] ?? '');
  }
  return null;
}

/** CPU ticks used so far, per process, keyed "group:pid" (a process that exits between snapshots drops out; one that starts between them counts whole). */
export function snapshotCpu(): CpuSnapshot {
  const snapshot: CpuSnapshot = new Map();
  for (const pid of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    const group = groupOf(pid, process.pid);
    if (!group) continue;
    try {
      // Fields after the parenthesized command name: utime and stime are the 12th and 13th.
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      snapshot.set(`${group}:${pid}`, Number(fields[11]) + Number(fields[12]));
    } catch {
      // exited meanwhile
    }
  }
  return snapshot;
}

/** Resident memory per group now, in bytes (the sum of its processes' VmRSS). */
export function memoryByGroup(): Map<string, number> {
  const bytes = new Map<string, number>();
  for (const pid of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    const group = groupOf(pid, process.pid);
    if (!group) continue;
    try {
      const kb = /^VmRSS:\s+(\d+) kB$/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
      if (kb) bytes.set(group, (bytes.get(group) ?? 0) + Number(kb) * 1024);
    } catch {
      // exited meanwhile
    }
  }
  return bytes;
}

/** CPU seconds used per group between two snapshots. */
export function cpuSecondsBetween(before: CpuSnapshot, after: CpuSnapshot): Map<string, number> {
  const seconds = new Map<string, number>();
  for (const [key, ticks] of after) {
    const group = key.slice(0, key.lastIndexOf(':'));
    seconds.set(group, (seconds.get(group) ?? 0) + (ticks - (before.get(key) ?? 0)) / TICKS_PER_SECOND);
  }
  return seconds;
}

/** Cores used per group between two snapshots, busiest first, e.g. "gateway 0.92, postgres 0.41". */
export function cpuBetween(before: CpuSnapshot, after: CpuSnapshot, seconds: number): string {
  const cores = new Map([...cpuSecondsBetween(before, after)].map(([group, used]) => [group, used / seconds]));
  return [...cores]
    .filter(([, used]) => used >= 0.02)
    .sort((a, b) => b[1] - a[1])
    .map(([group, used]) => `${group} ${used.toFixed(2)}`)
    .join(', ');
}
