// CPU time of this process and of its finished child processes (the plugin processes that trained
// the run's steps), from /proc/self/stat on Linux: what `/usr/bin/time` would report for one
// phase of the demo instead of the whole command.
import { readFileSync } from 'node:fs';

/** Clock ticks per second of /proc times (USER_HZ; 100 on Linux everywhere that matters). */
const TICKS = 100;

/** Seconds of CPU used so far by this process (all threads) and its reaped children; null off Linux. */
export function cpuSeconds(): number | null {
  let stat: string;
  try {
    stat = readFileSync('/proc/self/stat', 'utf8');
  } catch {
    return null;
  }
  // Fields after the command name (which may hold spaces) start at field 3 (state).
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime, stime, cutime, cstime are fields 14–17, i.e. indices 11–14 here.
  const ticks = [11, 12, 13, 14].reduce((sum, i) => sum + Number(fields[i]), 0);
  return Number.isFinite(ticks) ? ticks / TICKS : null;
}
