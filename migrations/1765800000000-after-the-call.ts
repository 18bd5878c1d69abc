import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * After the call (issue 16, item 5), as metadata of the session, never as text: the woman's one answer (three faces,
 * skippable: `feedback`) and the interpreter's wrap-up ticks (`referred_to`: where she referred her; `signs`: someone
 * controlled the conversation, the quick exit was used). Counted in the statistics with the rest.
 */
export class AfterTheCall1765800000000 implements MigrationInterface {
  name = 'AfterTheCall1765800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE sessions
      ADD COLUMN feedback varchar(12) CHECK (feedback IN ('helped', 'unsure', 'not_helped')),
      ADD COLUMN referred_to varchar(20)[] NOT NULL DEFAULT '{}'
        CHECK (referred_to <@ ARRAY['legal_aid', 'shelter', 'health', 'consulate', 'police', 'child_protection']::varchar(20)[]),
      ADD COLUMN signs varchar(20)[] NOT NULL DEFAULT '{}' CHECK (signs <@ ARRAY['controlled', 'quick_exit']::varchar(20)[])`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE sessions DROP COLUMN feedback, DROP COLUMN referred_to, DROP COLUMN signs`);
  }
}
