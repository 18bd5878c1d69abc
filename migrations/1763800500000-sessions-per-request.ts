import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A request may have several sessions over its life (its interpreter lost mid-call, the next one takes
 * over): one live session per request at a time, and one acceptance per round. An acceptance whose call
 * was lost is marked superseded, so the next interpreter's acceptance can stand.
 */
export class SessionsPerRequest1763800500000 implements MigrationInterface {
  name = 'SessionsPerRequest1763800500000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE sessions DROP CONSTRAINT sessions_request_id_key`);
    await q.query(`CREATE UNIQUE INDEX sessions_one_live_per_request ON sessions (request_id) WHERE ended_at IS NULL`);
    await q.query(`CREATE INDEX sessions_request ON sessions (request_id)`);
    await q.query(`ALTER TABLE offers ADD COLUMN superseded_at timestamptz`);
    await q.query(`DROP INDEX offers_one_acceptance_per_request`);
    await q.query(`CREATE UNIQUE INDEX offers_one_acceptance_per_request ON offers (request_id) WHERE outcome = 'accepted' AND superseded_at IS NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX offers_one_acceptance_per_request`);
    await q.query(`CREATE UNIQUE INDEX offers_one_acceptance_per_request ON offers (request_id) WHERE outcome = 'accepted'`);
    await q.query(`ALTER TABLE offers DROP COLUMN superseded_at`);
    await q.query(`DROP INDEX sessions_request`);
    await q.query(`DROP INDEX sessions_one_live_per_request`);
    await q.query(`ALTER TABLE sessions ADD CONSTRAINT sessions_request_id_key UNIQUE (request_id)`);
  }
}
