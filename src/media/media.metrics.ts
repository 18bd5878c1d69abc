import { Injectable } from '@nestjs/common';
import { Counter, Gauge } from 'prom-client';
import { MetricsService } from '../metrics/metrics.service';
import { WorkerPoolService } from './worker-pool.service';

/** Prometheus series for this node's mediasoup workers, read from the pool at scrape time. */
@Injectable()
export class MediaMetrics {
  constructor(metrics: MetricsService, pool: WorkerPoolService) {
    const registers = [metrics.registry];
    new Gauge({
      name: 'puente_mediasoup_workers_alive',
      help: 'mediasoup workers running on this node',
      registers,
      collect() {
        this.set(pool.snapshot().filter((s) => s.alive).length);
      },
    });
    new Gauge({
      name: 'puente_mediasoup_routers',
      help: 'mediasoup routers (one per session) on each worker slot',
      labelNames: ['worker'],
      registers,
      collect() {
        for (const s of pool.snapshot()) this.set({ worker: String(s.index) }, s.routers);
      },
    });
    new Gauge({
      name: 'puente_mediasoup_worker_cpu_seconds',
      help: 'CPU time (user + system) used by each worker process',
      labelNames: ['worker'],
      registers,
      async collect() {
        this.reset();
        for (const s of pool.snapshot()) {
          const usage = await pool.resourceUsage(s.index);
          if (usage) this.set({ worker: String(s.index) }, (usage.ru_utime + usage.ru_stime) / 1000);
        }
      },
    });
    const restarts = new Counter({
      name: 'puente_mediasoup_worker_restarts_total',
      help: 'mediasoup workers replaced after dying',
      labelNames: ['worker'],
      registers,
    });
    pool.events.on('workerReplaced', ({ index }) => restarts.inc({ worker: String(index) }));
  }
}
