import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second of /proc's CPU times (getconf CLK_TCK; 100 on Linux unless rebuilt). */
export const CLK_TCK = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
  } catch {
    return 100;
  }
})();

/** utime + stime of a process, in ticks; null once it is gone. */
export function cpuTicks(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces: count fields after its closing parenthesis.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return null;
  }
}

/**
 * Nanoseconds each thread of a process has spent runnable but waiting for a core (the second field of
 * /proc/PID/task/TID/schedstat), by thread id; null once the process is gone or schedstat cannot be read. On a
 * saturated machine this is where latency goes that no profile of the process shows: a V8 profile counts such a wait
 * in whatever the thread was doing when it was preempted (most often the write that woke the process it then waited for).
 */
export function runQueueWaitNs(pid: number): Map<string, number> | null {
  const byThread = new Map<string, number>();
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      try {
        byThread.set(tid, Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[1]));
      } catch {
        // the thread ended meanwhile
      }
    }
  } catch {
    return null;
  }
  return byThread.size ? byThread : null;
}

export function rssKb(pid: number): number | null {
  try {
    const m = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

export function childPids(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** Busy and total ticks of the whole machine (every core), from the first line of /proc/stat. */
function machineTicks(): { busy: number; total: number } {
  const [, ...v] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/);
  const n = v.map(Number);
  const total = n.slice(0, 8).reduce((a, b) => a + b, 0); // user nice system idle iowait irq softirq steal
  return { busy: total - n[3] - n[4], total };
}

export interface GroupUsage {
  /** Mean CPU over the window, in % of one core (200% = both cores of a 2-core machine). */
  cpuPct: number;
  /** The busiest one-second sample, in % of one core. */
  cpuPeakPct: number;
  rssPeakMb: number;
  /** Time its threads waited for a core while runnable, in % of the window (100% = one thread always waiting); unset where schedstat could not be read. */
  runQueueWaitPct?: number;
}

export interface Usage {
  groups: Record<string, GroupUsage>;
  /** The whole machine over the window, in % of one core, whoever used it. */
  machineBusyPct: number;
  cores: number;
}

/**
 * Samples CPU and resident memory of named groups of processes once a second. A group's process set may
 * change between samples (database backends): each process counts from the first sample it appears in.
 */
export class ProcSampler {
  private timer?: NodeJS.Timeout;
  private last = new Map<number, number>();
  /** Each thread's last reading, by `pid:tid`: a thread that ends takes its own wait with it, not its process's. */
  private lastWait = new Map<string, number>();
  private acc: Record<string, { ticks: number; peak: number; rss: number; waitNs: number; waitRead: boolean }> = {};
  private startAt = 0;
  private startMachine = machineTicks();
  private prevAt = 0;

  constructor(private readonly groups: Record<string, () => number[]>) {}

  start() {
    this.acc = Object.fromEntries(Object.keys(this.groups).map((g) => [g, { ticks: 0, peak: 0, rss: 0, waitNs: 0, waitRead: false }]));
    this.last.clear();
    this.lastWait.clear();
    this.startAt = this.prevAt = Date.now();
    this.startMachine = machineTicks();
    this.sample();
    this.timer = setInterval(() => this.sample(), 1000);
  }

  stop(): Usage {
    clearInterval(this.timer);
    this.sample();
    const seconds = (Date.now() - this.startAt) / 1000;
    const m = machineTicks();
    const cores = Math.max(1, Math.round((m.total - this.startMachine.total) / CLK_TCK / seconds));
    const groups: Record<string, GroupUsage> = {};
    for (const [g, a] of Object.entries(this.acc)) {
      groups[g] = {
        cpuPct: (a.ticks / CLK_TCK / seconds) * 100,
        cpuPeakPct: a.peak,
        rssPeakMb: a.rss / 1024,
        runQueueWaitPct: a.waitRead ? (a.waitNs / 1e9 / seconds) * 100 : undefined,
      };
    }
    return { groups, machineBusyPct: ((m.busy - this.startMachine.busy) / CLK_TCK / seconds) * 100, cores };
  }

  private sample() {
    const now = Date.now();
    const dt = Math.max(0.001, (now - this.prevAt) / 1000);
    this.prevAt = now;
    const seen = new Map<number, number>();
    const seenWait = new Map<string, number>();
    for (const [g, pids] of Object.entries(this.groups)) {
      let delta = 0;
      let waited = 0;
      let rss = 0;
      for (const pid of pids()) {
        const t = cpuTicks(pid);
        if (t === null) continue;
        const before = this.last.get(pid);
        if (before !== undefined) delta += t - before;
        seen.set(pid, t);
        const known = before !== undefined;
        const threads = runQueueWaitNs(pid);
        if (threads) this.acc[g].waitRead = true;
        for (const [tid, w] of threads ?? []) {
          const key = `${pid}:${tid}`;
          const waitBefore = this.lastWait.get(key);
          // A thread that appeared since the last sample, in a process already counted, counts from its start.
          if (waitBefore !== undefined) waited += w - waitBefore;
          else if (known) waited += w;
          seenWait.set(key, w);
        }
        rss += rssKb(pid) ?? 0;
      }
      const a = this.acc[g];
      a.ticks += delta;
      a.waitNs += waited;
      if (dt > 0.5) a.peak = Math.max(a.peak, (delta / CLK_TCK / dt) * 100);
      a.rss = Math.max(a.rss, rss);
    }
    for (const [pid, t] of seen) this.last.set(pid, t);
    for (const [pid, w] of seenWait) this.lastWait.set(pid, w);
  }
}

/** Processes whose command name is `name` (e.g. the shared redis-server). */
export function pidsNamed(name: string): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === name) out.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}
