import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Accounts can be disabled (and enabled again) and removed; an interpreter has at most one live login; `npm run
 * demo` keeps the signing key it generated for its database in the database itself.
 *
 * A removed account keeps its row (bookings and sessions point at their official) but loses its email and
 * password, so it is a pseudonymous id only; it no longer counts for the one-login-per-interpreter rule.
 */
export class Accounts1764720000000 implements MigrationInterface {
  name = 'Accounts1764720000000';

  async up(q: QueryRunner): Promise<void> {
    const dup = await q.query(`
      SELECT interpreter_id FROM users WHERE interpreter_id IS NOT NULL GROUP BY interpreter_id HAVING count(*) > 1`);
    if (dup.length > 0) {
      throw new Error(
        `${dup.length} interpreter(s) have more than one login (users.interpreter_id): keep one account for each ` +
          `(SELECT interpreter_id, id, email FROM users WHERE interpreter_id IN (...)), remove the others, then migrate again`,
      );
    }
    await q.query(`
      ALTER TABLE users
        ADD COLUMN disabled boolean NOT NULL DEFAULT false,
        ADD COLUMN removed_at timestamptz,
        ADD CONSTRAINT users_removed_is_disabled CHECK (removed_at IS NULL OR disabled)`);
    await q.query(`DROP INDEX users_interpreter_id`);
    await q.query(`CREATE UNIQUE INDEX users_interpreter_id_unique ON users (interpreter_id) WHERE interpreter_id IS NOT NULL AND removed_at IS NULL`);
    // One row at most (the key can only be true).
    await q.query(`
      CREATE TABLE demo_secret (
        id boolean PRIMARY KEY DEFAULT true CHECK (id),
        jwt_secret varchar(64) NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE demo_secret`);
    await q.query(`DROP INDEX users_interpreter_id_unique`);
    await q.query(`CREATE INDEX users_interpreter_id ON users (interpreter_id) WHERE interpreter_id IS NOT NULL`);
    await q.query(`ALTER TABLE users DROP CONSTRAINT users_removed_is_disabled, DROP COLUMN removed_at, DROP COLUMN disabled`);
  }
}
