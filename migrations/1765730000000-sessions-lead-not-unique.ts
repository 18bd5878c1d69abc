import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * One live call per interpreter is `session_interpreters_one_live`'s to keep (1765700000000), whatever her role. The
 * older unique index on a session's lead went further than that rule: a hearing's call could not even open while its
 * lead was still in another call, which locked the official and the woman out with her. It becomes a plain index
 * for the lookups of a lead's live call.
 */
export class SessionsLeadNotUnique1765730000000 implements MigrationInterface {
  name = 'SessionsLeadNotUnique1765730000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX sessions_one_live_per_interpreter`);
    await q.query(`CREATE INDEX sessions_live_lead ON sessions (interpreter_id) WHERE ended_at IS NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX sessions_live_lead`);
    await q.query(`CREATE UNIQUE INDEX sessions_one_live_per_interpreter ON sessions (interpreter_id) WHERE ended_at IS NULL`);
  }
}
