import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A join code is a booking's locator (its first four digits, not secret, unique among live codes) and a
 * secret (the other six): a wrong code with a live locator counts against that booking, which accepts only
 * JOIN_CODE_MAX_FAILURES an hour before its code is void. Codes issued before (hashed without the deployment's
 * key, no locator) are deleted: they live an hour or two, and the official issues a new one.
 */
export class JoinCodeBudget1764740000000 implements MigrationInterface {
  name = 'JoinCodeBudget1764740000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM booking_join_codes`);
    await q.query(`ALTER TABLE booking_join_codes ADD COLUMN locator char(4) CHECK (locator ~ '^[0-9]{4}$')`);
    await q.query(`ALTER TABLE booking_join_codes ADD COLUMN failures smallint NOT NULL DEFAULT 0`);
    await q.query(`ALTER TABLE booking_join_codes ADD COLUMN failures_since timestamptz`);
    await q.query(`CREATE UNIQUE INDEX booking_join_codes_locator ON booking_join_codes (locator) WHERE locator IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX booking_join_codes_locator`);
    await q.query(`ALTER TABLE booking_join_codes DROP COLUMN failures_since`);
    await q.query(`ALTER TABLE booking_join_codes DROP COLUMN failures`);
    await q.query(`ALTER TABLE booking_join_codes DROP COLUMN locator`);
  }
}
