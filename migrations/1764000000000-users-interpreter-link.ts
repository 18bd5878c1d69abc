import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * An interpreter account speaks for exactly one entry of her own country's roster, and only interpreter
 * accounts point at one: the database holds this too, not only POST /users. The composite key makes the
 * account's country that of the roster entry.
 */
export class UsersInterpreterLink1764000000000 implements MigrationInterface {
  name = 'UsersInterpreterLink1764000000000';

  async up(q: QueryRunner): Promise<void> {
    // Only rows written around the API can break these rules; say so rather than fail on a constraint name.
    const [bad] = await q.query(`
      SELECT count(*)::int AS n FROM users u
      WHERE (u.role = 'interpreter') <> (u.interpreter_id IS NOT NULL)
         OR (u.role = 'interpreter' AND NOT EXISTS (SELECT 1 FROM interpreters i WHERE i.id = u.interpreter_id AND i.country = u.country))`);
    if (bad.n > 0) {
      throw new Error(
        `${bad.n} user account(s) break the interpreter rule (an interpreter account must name an interpreter of her own ` +
          `country's roster, and no other account may): fix or remove them, then migrate again`,
      );
    }
    await q.query(`ALTER TABLE interpreters ADD CONSTRAINT interpreters_id_country UNIQUE (id, country)`);
    await q.query(`
      ALTER TABLE users
        ADD CONSTRAINT users_interpreter_id_iff_interpreter CHECK ((role = 'interpreter') = (interpreter_id IS NOT NULL)),
        ADD CONSTRAINT users_interpreter_has_country CHECK (role <> 'interpreter' OR country IS NOT NULL),
        ADD CONSTRAINT users_interpreter_fk FOREIGN KEY (interpreter_id, country) REFERENCES interpreters (id, country)`);
    await q.query(`CREATE INDEX users_interpreter_id ON users (interpreter_id) WHERE interpreter_id IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX users_interpreter_id`);
    await q.query(`
      ALTER TABLE users
        DROP CONSTRAINT users_interpreter_fk,
        DROP CONSTRAINT users_interpreter_has_country,
        DROP CONSTRAINT users_interpreter_id_iff_interpreter`);
    await q.query(`ALTER TABLE interpreters DROP CONSTRAINT interpreters_id_country`);
  }
}
