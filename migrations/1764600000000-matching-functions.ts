import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The hot steps of matching as PostgreSQL functions (matching_pairs, matching_dispatch, matching_accept,
 * session_end, matching_finish, matching_request_facts). They were created here; they now live as source files in
 * src/matching/sql/, applied by every migrate after the migrations (src/database/sql-sources.ts), so that their
 * live version is always the one in those files. This migration is kept so that databases that ran it stay in
 * step; it creates nothing any more.
 */
export class MatchingFunctions1764600000000 implements MigrationInterface {
  name = 'MatchingFunctions1764600000000';

  async up(): Promise<void> {
    // Created by src/matching/sql/20-matching.sql.
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION IF EXISTS matching_finish(uuid, text, text[], double precision)`);
    await q.query(`DROP FUNCTION IF EXISTS matching_accept(uuid, uuid)`);
    await q.query(`DROP FUNCTION IF EXISTS session_end(uuid, uuid, text, boolean)`);
    await q.query(`DROP FUNCTION IF EXISTS matching_dispatch(uuid, uuid[], double precision, char, double precision, int)`);
    await q.query(`DROP FUNCTION IF EXISTS matching_pairs(uuid[], uuid[], char, double precision, int)`);
    await q.query(`DROP FUNCTION IF EXISTS matching_request_facts(interpretation_requests)`);
  }
}
