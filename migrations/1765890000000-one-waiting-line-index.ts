import { MigrationInterface, QueryRunner } from 'typeorm';

const WHOLE_LINE = `CREATE INDEX requests_waiting ON interpretation_requests (priority DESC, minor DESC, queued_at) WHERE state IN ('queued', 'offering')`;

/**
 * The waiting line kept in one index, by language (requests_waiting_language, migration 1765300000000), not also in a
 * second one of the whole line in serving order. Matching reads the line one language at a time (20-matching.sql:
 * matching_waiting_in, matching_waiting_for); the whole line is read only by the sweep and /metrics, once a second
 * or less, where the index by language holds the same few rows, sorted where the order matters
 * (MatchingRepository.stalled sorts them before it looks at their offers). Every waiting version of a request (two
 * per request, most often) wrote an entry in both, and every statement that wrote a request opened both. And the
 * whole line's index was the one a plan made on a table analysed empty walked for a few requests of one language:
 * now none but hers can serve that look. About 1 % of a call's PostgreSQL instructions (BENCHMARKS.md, "Stop 46").
 */
export class OneWaitingLineIndex1765890000000 implements MigrationInterface {
  name = 'OneWaitingLineIndex1765890000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX requests_waiting`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(WHOLE_LINE);
  }
}
