import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Calls of up to five (issue 14): the woman, up to three interpreters and the official. Every interpreter of a session,
 * the lead (`interpreter`, also `sessions.interpreter_id`) as much as a relay leg's (`relay_interpreter`) or a team
 * partner (`team_interpreter`), has a row here, one per role; `ended_at` is when she left it for good (the session's
 * end). The partial unique index is the one guarantee that an interpreter is in at most one live call, whatever her
 * role in it and whichever way the call was made (on demand or a hearing).
 */
export class SessionInterpreters1765700000000 implements MigrationInterface {
  name = 'SessionInterpreters1765700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE session_interpreters (
        session_id uuid NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
        role varchar(20) NOT NULL CHECK (role IN ('interpreter', 'relay_interpreter', 'team_interpreter')),
        interpreter_id uuid NOT NULL REFERENCES interpreters (id),
        ended_at timestamptz,
        PRIMARY KEY (session_id, role)
      )`);
    await q.query(`INSERT INTO session_interpreters (session_id, role, interpreter_id, ended_at)
                   SELECT id, 'interpreter', interpreter_id, ended_at FROM sessions`);
    await q.query(`CREATE UNIQUE INDEX session_interpreters_one_live ON session_interpreters (interpreter_id) WHERE ended_at IS NULL`);
    // Read by matching on every call (matching_free): analysed as the other such tables (1765310000000).
    await q.query(`ALTER TABLE session_interpreters SET (autovacuum_analyze_scale_factor = 0.0, autovacuum_analyze_threshold = 2000)`);
    await q.query(`ALTER TABLE sessions DROP CONSTRAINT sessions_participant_roles_known`);
    await q.query(`ALTER TABLE sessions ADD CONSTRAINT sessions_participant_roles_known
                   CHECK (participant_roles <@ ARRAY['caller','interpreter','relay_interpreter','team_interpreter','official']::text[])`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE session_interpreters`);
    await q.query(`ALTER TABLE sessions DROP CONSTRAINT sessions_participant_roles_known`);
    await q.query(
      `UPDATE sessions SET participant_roles = array_remove(array_remove(participant_roles, 'relay_interpreter'), 'team_interpreter')`,
    );
    await q.query(`ALTER TABLE sessions ADD CONSTRAINT sessions_participant_roles_known
                   CHECK (participant_roles <@ ARRAY['caller','interpreter','official']::text[])`);
  }
}
