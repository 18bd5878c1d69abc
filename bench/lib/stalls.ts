/**
 * Records when a node stalls: load it into a node with BENCH_NODE_ARGS="--require <this file compiled>" and
 * BENCH_STALLS_DIR=<dir>. Every 2 s (and at exit) the node writes <dir>/stalls-<pid>.json: garbage collections
 * longer than 5 ms and event-loop stalls longer than 20 ms, each with its wall-clock time (`records`), and the
 * heap's spaces in MB at each write (`heap`), to lay beside the
 * seconds in which the benchmark saw slow requests (its log's "over 50 ms … most in seconds"). It changes nothing else.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PerformanceObserver, performance } from 'node:perf_hooks';
import { getHeapSpaceStatistics } from 'node:v8';

const dir = process.env.BENCH_STALLS_DIR;
if (dir) {
  const GC_KINDS: Record<number, string> = { 1: 'minor', 2: 'major', 4: 'incremental', 8: 'weakcb' };
  const records: { at: string; what: string; ms: number }[] = [];
  const wall = (perfMs: number) => new Date(performance.timeOrigin + perfMs).toISOString().slice(11, 23);
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      const kind = (e as unknown as { detail?: { kind?: number } }).detail?.kind ?? 0;
      if (e.duration > 5) records.push({ at: wall(e.startTime), what: `gc ${GC_KINDS[kind] ?? kind}`, ms: Math.round(e.duration) });
    }
  }).observe({ entryTypes: ['gc'] });
  const TICK_MS = 10;
  let last = performance.now();
  setInterval(() => {
    const now = performance.now();
    if (now - last - TICK_MS > 20) records.push({ at: wall(last), what: 'event loop', ms: Math.round(now - last - TICK_MS) });
    last = now;
  }, TICK_MS).unref();
  // The heap's spaces as each file is written: a major collection's pause grows with what old space holds.
  const heap: { at: string; mb: Record<string, number> }[] = [];
  const write = () => {
    const mb = Object.fromEntries(getHeapSpaceStatistics().map((s) => [s.space_name, Math.round(s.space_used_size / 1e6)]));
    heap.push({ at: wall(performance.now()), mb });
    writeFileSync(join(dir, `stalls-${process.pid}.json`), JSON.stringify({ records, heap }));
  };
  setInterval(write, 2000).unref();
  process.on('exit', write);
}
