import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Which roles took part in a session (metadata only: "caller", "interpreter", "official", in the order they
 * first joined), so that a session's record says who was in the call without saying anything about it.
 */
export class SessionParticipantRoles1764200000000 implements MigrationInterface {
  name = 'SessionParticipantRoles1764200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE sessions ADD COLUMN participant_roles text[] NOT NULL DEFAULT '{}'`);
    await q.query(
      `ALTER TABLE sessions ADD CONSTRAINT sessions_participant_roles_known CHECK (participant_roles <@ ARRAY['caller','interpreter','official']::text[])`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE sessions DROP CONSTRAINT sessions_participant_roles_known`);
    await q.query(`ALTER TABLE sessions DROP COLUMN participant_roles`);
  }
}
