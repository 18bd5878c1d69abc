import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The matching functions' plans are cached per connection and replanned only when a table's statistics change.
 * PostgreSQL's default (analyse after 10 % of a table changed) leaves a young deployment planning against
 * nearly empty tables while they fill: the speed helper measured dispatch at 6.8 → 15.7 ms of PostgreSQL CPU per
 * call within one connection on a fresh database, and 4.0 ms once analysed (BENCHMARKS.md, issue 13). The
 * tables matching reads on every call are analysed after a fixed count of changes instead.
 */
const TABLES = ['interpretation_requests', 'offers', 'sessions', 'interpreters', 'interpreter_languages'];

export class MatchingFreshStatistics1765310000000 implements MigrationInterface {
  name = 'MatchingFreshStatistics1765310000000';

  async up(q: QueryRunner): Promise<void> {
    for (const t of TABLES) {
      await q.query(`ALTER TABLE ${t} SET (autovacuum_analyze_scale_factor = 0.0, autovacuum_analyze_threshold = 2000)`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of TABLES) await q.query(`ALTER TABLE ${t} RESET (autovacuum_analyze_scale_factor, autovacuum_analyze_threshold)`);
  }
}
