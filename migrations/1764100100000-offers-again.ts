import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A request may be offered again to someone who was already tried (her connection blipped while it rang, or
 * she declined or missed it once and nobody else is left): the unique index on (request, interpreter) goes.
 * One pending offer per interpreter and one acceptance per request stay, as before.
 */
export class OffersAgain1764100100000 implements MigrationInterface {
  name = 'OffersAgain1764100100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX offers_request_interpreter`);
    await q.query(`CREATE INDEX offers_request_interpreter ON offers (request_id, interpreter_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    // Keep the first offer of each pair: the unique index cannot come back over repeated offers.
    await q.query(`DELETE FROM offers o USING offers e WHERE o.request_id = e.request_id AND o.interpreter_id = e.interpreter_id AND o.created_at > e.created_at`);
    await q.query(`DROP INDEX offers_request_interpreter`);
    await q.query(`CREATE UNIQUE INDEX offers_request_interpreter ON offers (request_id, interpreter_id)`);
  }
}
