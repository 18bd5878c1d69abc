import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * One row per seating of an interpreter in a call, not per role (issue 15, hours): a hearing whose interpreter changed
 * mid-call (she could no longer stay, another took her seat) kept one row per role, overwritten, so the first one's
 * minutes were lost and the second was paid from the call's start. Now a role's seat that changes hands ends the
 * row and a new one starts, `seated_at` saying when (null: from the call's start, as every seating before this was
 * counted). The guarantee stays a constraint: one live seat per role in a call (a partial unique index), as one live
 * call per interpreter (session_interpreters_one_live).
 */
export class SessionInterpreterSeatings1765780000000 implements MigrationInterface {
  name = 'SessionInterpreterSeatings1765780000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE session_interpreters ADD COLUMN seated_at timestamptz`);
    await q.query(`ALTER TABLE session_interpreters DROP CONSTRAINT session_interpreters_pkey`);
    await q.query(`ALTER TABLE session_interpreters ADD COLUMN id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY`);
    await q.query(
      `CREATE UNIQUE INDEX session_interpreters_one_live_role ON session_interpreters (session_id, role) WHERE ended_at IS NULL`,
    );
    await q.query(`CREATE INDEX session_interpreters_session ON session_interpreters (session_id)`);
    // An interpreter's calls, newest first (her last call's matter for a debrief notice; her hours), not only her live one.
    await q.query(`CREATE INDEX session_interpreters_interpreter ON session_interpreters (interpreter_id, id DESC)`);
  }

  async down(q: QueryRunner): Promise<void> {
    // Back to one row per role: the latest seating of each role is kept.
    await q.query(`DELETE FROM session_interpreters a USING session_interpreters b
                   WHERE a.session_id = b.session_id AND a.role = b.role AND a.id < b.id`);
    await q.query(`DROP INDEX session_interpreters_interpreter`);
    await q.query(`DROP INDEX session_interpreters_session`);
    await q.query(`DROP INDEX session_interpreters_one_live_role`);
    await q.query(`ALTER TABLE session_interpreters DROP COLUMN id`);
    await q.query(`ALTER TABLE session_interpreters ADD PRIMARY KEY (session_id, role)`);
    await q.query(`ALTER TABLE session_interpreters DROP COLUMN seated_at`);
  }
}
