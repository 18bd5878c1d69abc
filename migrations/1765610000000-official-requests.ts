import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * "Interpreter now" for an official with a woman beside her (issue 14): the official who asked, kept as metadata
 * (statistics count these apart from the women's own calls; audit names the actor). Null: a woman's own request.
 */
export class OfficialRequests1765610000000 implements MigrationInterface {
  name = 'OfficialRequests1765610000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE interpretation_requests ADD COLUMN official_id uuid REFERENCES users (id) ON DELETE SET NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE interpretation_requests DROP COLUMN official_id`);
  }
}
