import { MigrationInterface, QueryRunner } from 'typeorm';

/** The official who takes part in a session as its third party (a hearing booked by her institution). */
export class SessionOfficial1763800600000 implements MigrationInterface {
  name = 'SessionOfficial1763800600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE sessions ADD COLUMN official_id uuid REFERENCES users(id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE sessions DROP COLUMN official_id`);
  }
}
