import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Counter, Gauge, Histogram } from 'prom-client';
import { DataSource } from 'typeorm';
import { MetricsService } from './metrics.service';

/**
 * What operators watch of matching and calls. The line and the live calls are read from PostgreSQL at
 * scrape time, so every node reports the same deployment-wide figures (take one, or the max, in a
 * dashboard); answered waits, offer outcomes and socket connections are counted by the node they happen on
 * (sum them). No label ever carries anything about a caller: languages by code, outcomes by name.
 */
@Injectable()
export class DomainMetrics {
  readonly waitSeconds: Histogram<string>;
  readonly dispatchSeconds: Histogram<string>;
  readonly offers: Counter<'outcome'>;
  readonly sockets: Gauge<'role'>;

  constructor(metrics: MetricsService, @InjectDataSource() db: DataSource) {
    const registers = [metrics.registry];
    new Gauge({
      name: 'puente_queue_length',
      help: 'requests waiting for an interpreter (queued or ringing), by language code',
      labelNames: ['language'],
      registers,
      async collect() {
        this.reset();
        const rows: { language: string; n: number }[] = await db
          .query(
            `SELECT l.iso6393 || coalesce('/' || l.variant, '') AS language, count(*)::int AS n
             FROM interpretation_requests r JOIN languages l ON l.id = r.language_id
             WHERE r.state IN ('queued', 'offering') GROUP BY 1`,
          )
          .catch(() => []);
        for (const r of rows) this.set({ language: r.language }, r.n);
      },
    });
    new Gauge({
      name: 'puente_live_sessions',
      help: 'calls in progress (on-demand and hearings)',
      registers,
      async collect() {
        // Through the index of live calls, which a look-up must name the key of (never null) to use: without it, every
        // call ever held would be read at each scrape (migration 1765910000000).
        const [row] = await db
          .query(`SELECT count(*)::int AS n FROM sessions WHERE interpreter_id IS NOT NULL AND ended_at IS NULL`)
          .catch(() => [{ n: 0 }]);
        this.set(row.n);
      },
    });
    this.waitSeconds = new Histogram({
      name: 'puente_wait_seconds',
      help: 'time from a request to its acceptance by an interpreter',
      buckets: [1, 2, 5, 10, 20, 30, 60, 120, 300, 600],
      registers,
    });
    // Ringing the best free interpreters for a request (who is available, from Redis, then matching_dispatch in
    // PostgreSQL): the step every call waits for, and the first to slow down when PostgreSQL is short of CPU.
    this.dispatchSeconds = new Histogram({
      name: 'puente_dispatch_seconds',
      help: 'time to dispatch a waiting request: read who is available and ring the best of them',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    });
    this.offers = new Counter({
      name: 'puente_offers_total',
      help: 'offers decided on this node, by outcome',
      labelNames: ['outcome'],
      registers,
    });
    this.sockets = new Gauge({
      name: 'puente_socket_connections',
      help: 'socket.io connections open on this node, by role',
      labelNames: ['role'],
      registers,
    });
  }
}
