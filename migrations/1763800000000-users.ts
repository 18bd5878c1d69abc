import { MigrationInterface, QueryRunner } from 'typeorm';

export class Users1763800000000 implements MigrationInterface {
  name = 'Users1763800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE EXTENSION IF NOT EXISTS pgcrypto`);
    await q.query(`
      CREATE TABLE users (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        email varchar(254) NOT NULL UNIQUE CHECK (email = lower(email)),
        password_hash varchar(255) NOT NULL,
        role varchar(20) NOT NULL CHECK (role IN ('interpreter', 'official', 'roster_admin', 'platform_admin')),
        country char(2),
        institution varchar(120),
        interpreter_id uuid,
        tokens_valid_after timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        CHECK (role <> 'roster_admin' OR country IS NOT NULL),
        CHECK (role <> 'official' OR institution IS NOT NULL)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE users`);
  }
}
