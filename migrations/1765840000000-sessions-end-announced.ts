import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A session's end is announced by the node that ended it, after the commit, instead of by PostgreSQL's NOTIFY (whose
 * commit-time lock every call's end queued behind): `session_end` returns the notice, so its result type changes, and
 * the function is dropped here to be created again from src/matching/sql (as every migrate does after the
 * migrations). Each node also sweeps recently ended sessions, by when they ended, for notices a node that died
 * between its commit and its announcement never sent: an index on `ended_at` keeps that sweep off the year of
 * history.
 */
export class SessionsEndAnnounced1765840000000 implements MigrationInterface {
  name = 'SessionsEndAnnounced1765840000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION IF EXISTS session_end(uuid, uuid, text, boolean)`);
    await q.query(`CREATE INDEX sessions_ended_at ON sessions (ended_at) WHERE ended_at IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX sessions_ended_at`);
    // The release before this one creates it again, with its own result type, from its own sources.
    await q.query(`DROP FUNCTION IF EXISTS session_end(uuid, uuid, text, boolean)`);
  }
}
