/** CPU accounting from /proc for the media benchmarks, on top of bench/lib/proc. */
import { cpus, totalmem } from 'node:os';
import { readFileSync } from 'node:fs';

import { CLK_TCK, cpuTicks } from '../lib/proc';

export { CLK_TCK, cpuTicks };

/** Busy and total ticks of the whole machine, every core. */
export function machineTicks(): { busy: number; total: number } {
  const [, ...v] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/);
  const n = v.map(Number);
  const total = n.slice(0, 8).reduce((a, b) => a + b, 0);
  return { busy: total - n[3] - n[4], total };
}

/** CPU of a set of processes and of the machine between start() and stop(), in % of one core. */
export class CpuWindow {
  private t0 = 0;
  private ticks0 = new Map<number, number>();
  private m0 = machineTicks();

  constructor(private readonly pids: Record<string, number[]>) {}

  start() {
    this.t0 = Date.now();
    this.m0 = machineTicks();
    for (const pid of Object.values(this.pids).flat()) this.ticks0.set(pid, cpuTicks(pid) ?? 0);
    return this;
  }

  stop(): { seconds: number; pct: Record<string, number>; machinePct: number } {
    const seconds = (Date.now() - this.t0) / 1000;
    const pct: Record<string, number> = {};
    for (const [name, pids] of Object.entries(this.pids)) {
      let ticks = 0;
      for (const pid of pids) ticks += (cpuTicks(pid) ?? this.ticks0.get(pid) ?? 0) - (this.ticks0.get(pid) ?? 0);
      pct[name] = (100 * ticks) / CLK_TCK / seconds;
    }
    const m1 = machineTicks();
    const machinePct = (100 * (m1.busy - this.m0.busy)) / CLK_TCK / seconds;
    return { seconds, pct, machinePct };
  }
}

export function machine() {
  const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  const model = /model name\s*:\s*(.*)/.exec(cpuinfo)?.[1] ?? 'unknown';
  const mhz = /cpu MHz\s*:\s*(.*)/.exec(cpuinfo)?.[1] ?? '?';
  let kernel = '';
  try {
    kernel = readFileSync('/proc/sys/kernel/osrelease', 'utf8').trim();
  } catch {
    /* not Linux */
  }
  return { nproc: cpus().length, model, mhz, memGb: +(totalmem() / 2 ** 30).toFixed(1), node: process.version, kernel };
}

export function median(xs: number[]): number {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (!s.length) return NaN;
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, Math.max(0, ms)));

/**
 * Waits until the whole machine is busy less than `pct` (% of one core, over 2 s), or until `deadline`: the
 * machine is shared, and a measurement taken while others use it measures them too.
 */
export async function waitForQuiet(pct: number, deadline: number, log: (m: string) => void) {
  for (;;) {
    const m0 = machineTicks();
    await sleep(2000);
    const m1 = machineTicks();
    const busy = (100 * (m1.busy - m0.busy)) / CLK_TCK / 2;
    if (busy < pct || Date.now() > deadline) return;
    log(`machine busy ${busy.toFixed(0)}%: waiting for it to be quiet`);
    await sleep(5000);
  }
}
