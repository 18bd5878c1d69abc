import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What lets matching make each step in a statement or two:
 *
 * - `matching_audit_outbox`: matching writes its audit events here, inside the transaction that makes the
 *   change (so none is lost), without the audit chain's lock; one node at a time moves them into the hash
 *   chain, in order, shortly after (see AuditOutbox).
 * - `offers.holds`: an offer holds its interpreter while it rings and, once accepted, until its session
 *   ends. One hold per interpreter (a unique index) replaces one pending offer per interpreter, so that an
 *   interpreter in a call can never be offered another request, however the transactions interleave.
 * - One live request per caller, as a unique index on her token subject (kept only while the request is live).
 */
export class MatchingHotPath1764100200000 implements MigrationInterface {
  name = 'MatchingHotPath1764100200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE matching_audit_outbox (
        id bigserial PRIMARY KEY,
        type varchar(60) NOT NULL,
        actor_id uuid,
        actor_role varchar(20),
        country char(2),
        subject_id uuid,
        data jsonb NOT NULL DEFAULT '{}',
        at timestamptz NOT NULL DEFAULT clock_timestamp()
      )`);

    await q.query(`ALTER TABLE offers ADD COLUMN holds boolean NOT NULL DEFAULT true`);
    await q.query(`
      UPDATE offers o SET holds = o.outcome IS NULL OR (o.outcome = 'accepted' AND o.superseded_at IS NULL
        AND EXISTS (SELECT 1 FROM sessions s WHERE s.request_id = o.request_id AND s.interpreter_id = o.interpreter_id AND s.ended_at IS NULL))`);
    await q.query(`ALTER TABLE offers ADD CONSTRAINT offers_pending_holds CHECK (outcome IS NOT NULL OR holds)`);
    await q.query(`ALTER TABLE offers ADD CONSTRAINT offers_holds_while_live CHECK (NOT holds OR outcome IS NULL OR outcome = 'accepted')`);
    await q.query(`CREATE UNIQUE INDEX offers_one_hold_per_interpreter ON offers (interpreter_id) WHERE holds`);
    await q.query(`DROP INDEX offers_one_pending_per_interpreter`);

    await q.query(`CREATE UNIQUE INDEX requests_one_live_per_caller ON interpretation_requests (caller_sub) WHERE caller_sub IS NOT NULL`);
    await q.query(`DROP INDEX requests_caller`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX requests_caller ON interpretation_requests (caller_sub) WHERE caller_sub IS NOT NULL`);
    await q.query(`DROP INDEX requests_one_live_per_caller`);
    await q.query(`CREATE UNIQUE INDEX offers_one_pending_per_interpreter ON offers (interpreter_id) WHERE outcome IS NULL`);
    await q.query(`DROP INDEX offers_one_hold_per_interpreter`);
    await q.query(`ALTER TABLE offers DROP CONSTRAINT offers_holds_while_live`);
    await q.query(`ALTER TABLE offers DROP CONSTRAINT offers_pending_holds`);
    await q.query(`ALTER TABLE offers DROP COLUMN holds`);
    await q.query(`DROP TABLE matching_audit_outbox`);
  }
}
