import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A relay language has a level like a language (the roster CSV's `spa:5;eng:3`); rows stored before, written
 * as a bare code, are level 5, as a bare code still is on import.
 */
export class RelayLanguageLevels1765510000000 implements MigrationInterface {
  name = 'RelayLanguageLevels1765510000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE interpreter_relay_languages ADD COLUMN level smallint NOT NULL DEFAULT 5 CHECK (level BETWEEN 1 AND 5)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE interpreter_relay_languages DROP COLUMN level`);
  }
}
