import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * "Interpreter now" (issue 14): the official may add the woman's own phone to the call with a one-time code, as for
 * hearings. Join codes belong to a booking or to an official's request: one table (`join_codes`), so that a code's
 * locator is unique among every live code and a wrong guess spends the budget of whichever call it aims at.
 */
export class RequestJoinCodes1765720000000 implements MigrationInterface {
  name = 'RequestJoinCodes1765720000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE booking_join_codes RENAME TO join_codes`);
    await q.query(`ALTER TABLE join_codes DROP CONSTRAINT booking_join_codes_pkey`);
    await q.query(`ALTER TABLE join_codes ALTER COLUMN booking_id DROP NOT NULL`);
    await q.query(`ALTER TABLE join_codes ADD COLUMN request_id uuid REFERENCES interpretation_requests (id) ON DELETE CASCADE`);
    await q.query(`ALTER TABLE join_codes ADD CONSTRAINT join_codes_one_call CHECK ((booking_id IS NULL) <> (request_id IS NULL))`);
    await q.query(`CREATE UNIQUE INDEX join_codes_booking ON join_codes (booking_id) WHERE booking_id IS NOT NULL`);
    await q.query(`CREATE UNIQUE INDEX join_codes_request ON join_codes (request_id) WHERE request_id IS NOT NULL`);
    await q.query(`ALTER INDEX booking_join_codes_locator RENAME TO join_codes_locator`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM join_codes WHERE request_id IS NOT NULL`);
    await q.query(`ALTER INDEX join_codes_locator RENAME TO booking_join_codes_locator`);
    await q.query(`DROP INDEX join_codes_request`);
    await q.query(`DROP INDEX join_codes_booking`);
    await q.query(`ALTER TABLE join_codes DROP CONSTRAINT join_codes_one_call`);
    await q.query(`ALTER TABLE join_codes DROP COLUMN request_id`);
    await q.query(`ALTER TABLE join_codes ALTER COLUMN booking_id SET NOT NULL`);
    await q.query(`ALTER TABLE join_codes ADD CONSTRAINT booking_join_codes_pkey PRIMARY KEY (booking_id)`);
    await q.query(`ALTER TABLE join_codes RENAME TO booking_join_codes`);
  }
}
