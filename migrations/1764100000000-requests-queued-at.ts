import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * When a request (re)entered the waiting line. The wait limit counts from here, not from its creation: a
 * caller whose interpreter was lost mid-call goes back to the line with a fresh wait, however long the call.
 */
export class RequestsQueuedAt1764100000000 implements MigrationInterface {
  name = 'RequestsQueuedAt1764100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE interpretation_requests ADD COLUMN queued_at timestamptz`);
    await q.query(`UPDATE interpretation_requests SET queued_at = created_at`);
    await q.query(`ALTER TABLE interpretation_requests ALTER COLUMN queued_at SET NOT NULL, ALTER COLUMN queued_at SET DEFAULT now()`);
    await q.query(`DROP INDEX requests_waiting`);
    await q.query(`CREATE INDEX requests_waiting ON interpretation_requests (priority DESC, minor DESC, queued_at) WHERE state IN ('queued', 'offering')`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX requests_waiting`);
    await q.query(`CREATE INDEX requests_waiting ON interpretation_requests (priority DESC, minor DESC, created_at) WHERE state IN ('queued', 'offering')`);
    await q.query(`ALTER TABLE interpretation_requests DROP COLUMN queued_at`);
  }
}
