import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Her say in who interprets (issue 16):
 * - `any_interpreter`: she asked for a woman, none was free, and she chose whoever is free first (`request:choose`);
 *   until then a request that asks for a woman is offered to women only.
 * - `not_from_country`: "not from my country": nobody from a roster of the countries where her language is spoken.
 * - `excluded_interpreters`: interpreters she asked to replace (`session:another`), never offered this request again.
 */
export class HerSay1765790000000 implements MigrationInterface {
  name = 'HerSay1765790000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE interpretation_requests
      ADD COLUMN any_interpreter boolean NOT NULL DEFAULT false,
      ADD COLUMN not_from_country boolean NOT NULL DEFAULT false,
      ADD COLUMN excluded_interpreters uuid[] NOT NULL DEFAULT '{}'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE interpretation_requests DROP COLUMN any_interpreter, DROP COLUMN not_from_country, DROP COLUMN excluded_interpreters`,
    );
  }
}
