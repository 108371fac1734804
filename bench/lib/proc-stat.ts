// CPU time of another process from /proc (Linux): the whole process, and its main thread apart
// from the rest (worker threads, libuv and V8 helpers), so a figure can say how work was split.
import { readFileSync, readdirSync } from 'node:fs';

/** Clock ticks per second of /proc's utime and stime (USER_HZ; 100 on Linux). */
const TICKS_PER_SECOND = 100;

export interface CpuSample {
  /** Wall clock, ms (performance.now()). */
  at: number;
  /** CPU seconds of all threads. */
  total: number;
  /** CPU seconds of the main thread (tid = pid). */
  main: number;
}

function cpuSeconds(statText: string): number {
  // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
  const fields = statText.slice(statText.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
}

export function sampleCpu(pid: number): CpuSample {
  const at = performance.now();
  const total = cpuSeconds(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  let main: number;
  try {
    main = cpuSeconds(readFileSync(`/proc/${pid}/task/${pid}/stat`, 'utf8'));
  } catch {
    main = Number.NaN;
  }
  return { at, total, main };
}

export interface CpuUse {
  /** Cores busy on average over the interval (1.0 = one core). */
  cores: number;
  mainCores: number;
  otherCores: number;
}

export function cpuBetween(a: CpuSample, b: CpuSample): CpuUse {
  const seconds = (b.at - a.at) / 1000;
  if (seconds <= 0) return { cores: Number.NaN, mainCores: Number.NaN, otherCores: Number.NaN };
  const cores = (b.total - a.total) / seconds;
  const mainCores = (b.main - a.main) / seconds;
  return { cores, mainCores, otherCores: cores - mainCores };
}

/** Threads of `pid` (for a diagnostic line). */
export function threadCount(pid: number): number {
  try {
    return readdirSync(`/proc/${pid}/task`).length;
  } catch {
    return Number.NaN;
  }
}

/** The kernel's count of UDP datagrams dropped because a socket's receive buffer was full. */
export function udpReceiveBufferErrors(): number {
  const lines = readFileSync('/proc/net/snmp', 'utf8')
    .split('\n')
    .filter((l) => l.startsWith('Udp:'));
  if (lines.length < 2) return Number.NaN;
  const names = lines[0]!.split(/\s+/);
  const values = lines[1]!.split(/\s+/);
  return Number(values[names.indexOf('RcvbufErrors')]);
}

/** CPU seconds all processes of the machine have used so far (busy time from /proc/stat). */
export function machineBusySeconds(): number {
  const first = readFileSync('/proc/stat', 'utf8').split('\n')[0]!;
  const [, user, nice, system, , , irq, softirq, steal] = first.trim().split(/\s+/).map(Number);
  return (
    ((user ?? 0) + (nice ?? 0) + (system ?? 0) + (irq ?? 0) + (softirq ?? 0) + (steal ?? 0)) /
    TICKS_PER_SECOND
  );
}
