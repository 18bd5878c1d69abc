import type { DataSourceOptions } from 'typeorm';
import { MIGRATIONS } from '../../migrations';

/**
 * `wrapupSeconds`: WRAPUP_SECONDS per matter, handed to PostgreSQL as a setting of each connection
 * (`puente.wrapup_seconds`, JSON): session_end reads it to stamp an interpreter's wrap-up in the transaction that ends
 * her call, whichever function ends it. A connection without it (migrations, scripts) stamps none.
 */
export function dataSourceOptions(url: string, settings: { wrapupSeconds?: Record<string, number> } = {}): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    synchronize: false,
    migrations: MIGRATIONS,
    migrationsTransactionMode: 'each',
    // Several nodes may start at once; TypeORM takes an advisory lock around migrations.
    logging: false,
    // A pool that runs dry must fail a request, not hang the node.
    extra: {
      max: 20,
      // Connections stay open once made. Closed after 10 s idle (pg-pool's default), a pool shrank under light load
      // and, at the next short stall, opened a dozen at once, each forked and compiling the matching functions anew:
      // the seconds of the slowest requests at 50/s (BENCHMARKS.md, "Stop 37"). So a node holds up to `max`.
      min: 20,
      application_name: 'puente',
      connectionTimeoutMillis: 10_000,
      // JSON.stringify writes no whitespace, the one thing (with backslashes) that this option string would split on.
      ...(settings.wrapupSeconds ? { options: `-c puente.wrapup_seconds=${JSON.stringify(settings.wrapupSeconds)}` } : {}),
    },
  };
}
