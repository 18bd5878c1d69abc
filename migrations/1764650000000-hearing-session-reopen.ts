import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A hearing keeps one live session at a time instead of one for good: a call whose media could not be
 * rebuilt (`media_failed`) is reopened as a new session while the hearing is still on.
 */
export class HearingSessionReopen1764650000000 implements MigrationInterface {
  name = 'HearingSessionReopen1764650000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE sessions DROP CONSTRAINT sessions_booking_id_key`);
    await q.query(`CREATE UNIQUE INDEX sessions_one_live_per_booking ON sessions (booking_id) WHERE booking_id IS NOT NULL AND ended_at IS NULL`);
    await q.query(`CREATE INDEX sessions_booking ON sessions (booking_id) WHERE booking_id IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX sessions_booking`);
    await q.query(`DROP INDEX sessions_one_live_per_booking`);
    await q.query(`ALTER TABLE sessions ADD CONSTRAINT sessions_booking_id_key UNIQUE (booking_id)`);
  }
}
