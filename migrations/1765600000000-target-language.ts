import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What the other side speaks (DESIGN.md, "Target language"): every new request and booking says it; rows made
 * before have none, which the ladder reads as "anyone covers it", as it did when they were made.
 */
export class TargetLanguage1765600000000 implements MigrationInterface {
  name = 'TargetLanguage1765600000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE interpretation_requests ADD COLUMN target_language_id uuid REFERENCES languages (id)`);
    await q.query(`ALTER TABLE bookings ADD COLUMN target_language_id uuid REFERENCES languages (id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE bookings DROP COLUMN target_language_id`);
    await q.query(`ALTER TABLE interpretation_requests DROP COLUMN target_language_id`);
  }
}
