import { childPids, rssKb } from '../lib/proc';
import { sleep } from '../lib/stats';

/** One memory sample of one node: the Node.js process, its mediasoup worker(s), and the V8 heap it reports. */
export interface MemorySample {
  /** Seconds since the load started. */
  t: number;
  rssMb: number;
  workerRssMb: number;
  heapUsedMb: number;
  heapTotalMb: number;
  externalMb: number;
  /** V8's committed size of each heap space (new, old, code, large_object...), to see which one grows. */
  spacesMb?: Record<string, number>;
}

/**
 * Theil–Sen estimator: the median of the slopes between every pair of points (robust to a few outliers, such
 * as a garbage collection caught mid-way). Slope in y units per x unit; NaN with fewer than two distinct x.
 */
export function theilSen(points: [number, number][]): number {
  const slopes: number[] = [];
  for (let i = 0; i < points.length; i++) {
    for (let j = i + 1; j < points.length; j++) {
      const dx = points[j][0] - points[i][0];
      if (dx !== 0) slopes.push((points[j][1] - points[i][1]) / dx);
    }
  }
  if (!slopes.length) return NaN;
  slopes.sort((a, b) => a - b);
  const mid = Math.floor(slopes.length / 2);
  return slopes.length % 2 ? slopes[mid] : (slopes[mid - 1] + slopes[mid]) / 2;
}

/** prom-client's default metrics, as the node serves them at /metrics (prefix `puente_`). */
async function heapOf(
  url: string,
  token: string | undefined,
): Promise<{ used: number; total: number; external: number; spaces: Record<string, number> } | null> {
  const res = await fetch(`${url}/metrics`, { headers: token ? { authorization: `Bearer ${token}` } : {} }).catch(() => null);
  if (!res || res.status !== 200) return null;
  const text = await res.text();
  const read = (name: string) => Number(new RegExp(`^puente_${name}(?:\\{[^}]*\\})? ([\\d.e+-]+)$`, 'm').exec(text)?.[1] ?? NaN);
  const spaces: Record<string, number> = {};
  for (const m of text.matchAll(/^puente_nodejs_heap_space_size_total_bytes\{[^}]*space="(\w+)"[^}]*\} ([\d.e+-]+)$/gm)) {
    spaces[m[1]] = Math.round((Number(m[2]) / MB) * 10) / 10;
  }
  return {
    spaces,
    used: read('nodejs_heap_size_used_bytes'),
    total: read('nodejs_heap_size_total_bytes'),
    external: read('nodejs_external_memory_bytes'),
  };
}

const MB = 2 ** 20;

/** Samples every node's memory every `everyMs` until stopped. */
export class MemorySampler {
  readonly samples: MemorySample[][];
  private running = false;
  private loop?: Promise<void>;
  private t0 = Date.now();

  constructor(
    private readonly nodes: { url: string; pid: number }[],
    private readonly token: string | undefined,
    private readonly everyMs: number,
  ) {
    this.samples = nodes.map(() => []);
  }

  start(t0: number) {
    this.t0 = t0;
    this.running = true;
    this.loop = (async () => {
      for (let i = 0; this.running && i < 100_000; i++) {
        await this.sampleOnce();
        await sleep(this.everyMs);
      }
    })();
  }

  async sampleOnce() {
    await Promise.all(
      this.nodes.map(async (n, i) => {
        const heap = await heapOf(n.url, this.token);
        const rss = rssKb(n.pid);
        if (!heap || rss === null) return;
        const worker = childPids(n.pid).reduce((a, pid) => a + (rssKb(pid) ?? 0), 0);
        this.samples[i].push({
          t: (Date.now() - this.t0) / 1000,
          rssMb: rss / 1024,
          workerRssMb: worker / 1024,
          heapUsedMb: heap.used / MB,
          heapTotalMb: heap.total / MB,
          externalMb: heap.external / MB,
          spacesMb: heap.spaces,
        });
      }),
    );
  }

  async stop() {
    this.running = false;
    await this.loop;
  }
}

export interface MemoryTrend {
  samples: number;
  /**
   * The same slopes over the floor of each FLOOR_BIN_S window (its lowest sample): the heap just after a
   * collection, which is what a leak raises; the raw slopes also follow where the garbage collector's sawtooth
   * happens to be at the ends of the window.
   */
  floor: {
    bins: number;
    rssMbPerMin: number;
    heapUsedMbPerMin: number;
    workerRssMbPerMin: number;
    /** Where RSS growth comes from: V8's committed heap (heapTotal), and the rest of the RSS (malloc, code, buffers). */
    heapTotalMbPerMin: number;
    outsideHeapMbPerMin: number;
  };
  /** Theil–Sen slopes over the samples from `fromS` to `toS`, in MB per minute. */
  rssMbPerMin: number;
  heapUsedMbPerMin: number;
  workerRssMbPerMin: number;
  /** First and last values in the window, and the peak. */
  rssMb: { first: number; last: number; max: number };
  heapUsedMb: { first: number; last: number; max: number };
  workerRssMb: { first: number; last: number; max: number };
}

export const FLOOR_BIN_S = 30;

/** Per bin of `binS` seconds from `fromS`: its middle time and the lowest value of `pick` in it. */
export function floors(samples: MemorySample[], fromS: number, binS: number, pick: (s: MemorySample) => number): [number, number][] {
  const bins = new Map<number, number>();
  for (const s of samples) {
    const b = Math.floor((s.t - fromS) / binS);
    bins.set(b, Math.min(bins.get(b) ?? Infinity, pick(s)));
  }
  return [...bins].sort((a, b) => a[0] - b[0]).map(([b, v]) => [fromS + (b + 0.5) * binS, v]);
}

export function trend(samples: MemorySample[], fromS: number, toS: number): MemoryTrend {
  const w = samples.filter((s) => s.t >= fromS && s.t <= toS);
  const slope = (pick: (s: MemorySample) => number) => theilSen(w.map((s) => [s.t / 60, pick(s)]));
  const floorSlope = (pick: (s: MemorySample) => number) => theilSen(floors(w, fromS, FLOOR_BIN_S, pick).map(([t, v]) => [t / 60, v]));
  const span = (pick: (s: MemorySample) => number) => ({
    first: w.length ? pick(w[0]) : NaN,
    last: w.length ? pick(w[w.length - 1]) : NaN,
    max: w.length ? Math.max(...w.map(pick)) : NaN,
  });
  return {
    samples: w.length,
    floor: {
      bins: floors(w, fromS, FLOOR_BIN_S, (s) => s.rssMb).length,
      rssMbPerMin: floorSlope((s) => s.rssMb),
      heapUsedMbPerMin: floorSlope((s) => s.heapUsedMb),
      workerRssMbPerMin: floorSlope((s) => s.workerRssMb),
      heapTotalMbPerMin: floorSlope((s) => s.heapTotalMb),
      outsideHeapMbPerMin: floorSlope((s) => s.rssMb - s.heapTotalMb),
    },
    rssMbPerMin: slope((s) => s.rssMb),
    heapUsedMbPerMin: slope((s) => s.heapUsedMb),
    workerRssMbPerMin: slope((s) => s.workerRssMb),
    rssMb: span((s) => s.rssMb),
    heapUsedMb: span((s) => s.heapUsedMb),
    workerRssMb: span((s) => s.workerRssMb),
  };
}
