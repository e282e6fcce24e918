// CPU time of processes, for "CPU milliseconds per request" figures: this process through
// process.cpuUsage(), others (the database server's processes) through /proc/<pid>/stat (Linux;
// utime + stime in clock ticks of 10 ms). A process that ends between two readings is not counted.
import { readFileSync } from 'node:fs';

const TICK_MS = 10; // CLK_TCK is 100 on Linux

/** CPU milliseconds (user + system) used so far by these processes. */
export function processCpuMs(pids: number[]): Map<number, number> {
  const out = new Map<number, number>();
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // After "(comm) ": state is field 3 of stat(5), so utime (14) and stime (15) are at 11 and 12.
      out.set(pid, (Number(fields[11]) + Number(fields[12])) * TICK_MS);
    } catch {
      // gone
    }
  }
  return out;
}

/** CPU milliseconds used between two readings by the processes present in both or started since. */
export function cpuMsBetween(before: Map<number, number>, after: Map<number, number>): number {
  let total = 0;
  for (const [pid, ms] of after) total += ms - (before.get(pid) ?? 0);
  return total;
}

/** CPU milliseconds (user + system) of this process so far. */
export function selfCpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}
