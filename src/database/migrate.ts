import type { DataSource, Migration } from 'typeorm';
import { applySqlSources } from './sql-sources';

// Any 64-bit key works; this one is "migrate" in ASCII.
const MIGRATION_LOCK = '30796665482998885'; // 0x6d696772617465, exact as text (a JS number rounds it)

/**
 * Runs pending migrations, then the SQL source files (src/database/sql-sources.ts), while holding a session-level
 * advisory lock, so that several nodes starting at once against an empty database apply each migration exactly
 * once (the others wait, then find nothing to do).
 */
export async function runMigrationsLocked(ds: DataSource): Promise<Migration[]> {
  const runner = ds.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    const applied = await ds.runMigrations({ transaction: 'each' });
    await applySqlSources(runner);
    return applied;
  } finally {
    await runner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
    await runner.release();
  }
}
