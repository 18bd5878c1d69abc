import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Closes the audit chain's open ends.
 * - TRUNCATE is refused, as UPDATE and DELETE already are (outside the retention purge).
 * - The chain head (seq and hash of the last event) is stored in a one-row table that only an append moves,
 *   in the same transaction: verify compares the last event with it, so deleting the newest events is seen.
 *   Every insert must extend the head (seq + 1, prev_hash = head hash), so no writer can fork the chain.
 * - The start of the chain is either the first event (seq 1, the genesis hash) or where an audited purge left
 *   it: the purge appends an `audit.purged` event recording the seq and hash the surviving chain continues
 *   from (src/audit/audit.service.ts). That part is checked by verify, not here.
 */
export class AuditChainHead1764000100000 implements MigrationInterface {
  name = 'AuditChainHead1764000100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
      FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only()`);

    await q.query(`
      CREATE TABLE audit_chain_head (
        only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
        seq bigint NOT NULL CHECK (seq >= 0),
        hash char(64) NOT NULL
      )`);
    // An existing chain's head is its last event; an empty one's is the genesis hash.
    await q.query(`
      INSERT INTO audit_chain_head (seq, hash)
      SELECT coalesce(max(seq), 0), coalesce((SELECT hash FROM audit_events ORDER BY seq DESC LIMIT 1), repeat('0', 64))
      FROM audit_events`);

    await q.query(`
      CREATE FUNCTION audit_events_extend_head() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        head audit_chain_head;
      BEGIN
        SELECT * INTO head FROM audit_chain_head FOR UPDATE;
        IF NEW.seq <> head.seq + 1 OR NEW.prev_hash <> head.hash THEN
          RAISE EXCEPTION 'audit event % does not extend the chain head (seq %)', NEW.seq, head.seq;
        END IF;
        UPDATE audit_chain_head SET seq = NEW.seq, hash = NEW.hash;
        RETURN NEW;
      END $$`);
    await q.query(`
      CREATE TRIGGER audit_events_extend_head BEFORE INSERT ON audit_events
      FOR EACH ROW EXECUTE FUNCTION audit_events_extend_head()`);

    // The head moves only from the trigger above (trigger depth 2); nothing adds, removes or empties it.
    await q.query(`
      CREATE FUNCTION audit_chain_head_guard() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'UPDATE' AND pg_trigger_depth() > 1 THEN
          RETURN NEW;
        END IF;
        RAISE EXCEPTION 'audit_chain_head moves only when an audit event is appended';
      END $$`);
    await q.query(`
      CREATE TRIGGER audit_chain_head_guard BEFORE INSERT OR UPDATE OR DELETE ON audit_chain_head
      FOR EACH ROW EXECUTE FUNCTION audit_chain_head_guard()`);
    await q.query(`
      CREATE TRIGGER audit_chain_head_no_truncate BEFORE TRUNCATE ON audit_chain_head
      FOR EACH STATEMENT EXECUTE FUNCTION audit_chain_head_guard()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER audit_events_extend_head ON audit_events`);
    await q.query(`DROP FUNCTION audit_events_extend_head`);
    await q.query(`DROP TABLE audit_chain_head`);
    await q.query(`DROP FUNCTION audit_chain_head_guard`);
    await q.query(`DROP TRIGGER audit_events_no_truncate ON audit_events`);
  }
}
