import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The audit chain's head moves once per INSERT statement instead of once per row. Events reach the chain in
 * batches (the outbox's drainer, AuditService.recordMany: about a hundred at 100 calls a second), and a row
 * trigger locked, checked and rewrote the one head row for each of them: three statements and a dead row version
 * per event, about a tenth of PostgreSQL's CPU in matching (BENCHMARKS.md, issue 13). The statement trigger checks
 * the same thing over the rows the statement appended, in seq order: the first extends the head, each one the row
 * before it; one that does not refuses the whole statement. Then the head moves to the last.
 */
export class AuditHeadPerStatement1765400000000 implements MigrationInterface {
  name = 'AuditHeadPerStatement1765400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER audit_events_extend_head ON audit_events`);
    await q.query(`DROP FUNCTION audit_events_extend_head()`);
    await q.query(`
      CREATE FUNCTION audit_events_extend_head() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        head audit_chain_head;
        v_broken bigint;
      BEGIN
        SELECT * INTO head FROM audit_chain_head FOR UPDATE;
        SELECT a.seq INTO v_broken FROM (
          SELECT seq, prev_hash, lag(seq, 1, head.seq) OVER w AS before_seq, lag(hash, 1, head.hash) OVER w AS before_hash
          FROM appended WINDOW w AS (ORDER BY seq)
        ) a
        WHERE a.seq <> a.before_seq + 1 OR a.prev_hash <> a.before_hash
        ORDER BY a.seq LIMIT 1;
        IF FOUND THEN
          RAISE EXCEPTION 'audit event % does not extend the chain head (seq %)', v_broken, head.seq;
        END IF;
        UPDATE audit_chain_head h SET seq = l.seq, hash = l.hash FROM (SELECT seq, hash FROM appended ORDER BY seq DESC LIMIT 1) l;
        RETURN NULL;
      END $$`);
    await q.query(
      `CREATE TRIGGER audit_events_extend_head AFTER INSERT ON audit_events REFERENCING NEW TABLE AS appended FOR EACH STATEMENT EXECUTE FUNCTION audit_events_extend_head()`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER audit_events_extend_head ON audit_events`);
    await q.query(`DROP FUNCTION audit_events_extend_head()`);
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
    await q.query(
      `CREATE TRIGGER audit_events_extend_head BEFORE INSERT ON audit_events FOR EACH ROW EXECUTE FUNCTION audit_events_extend_head()`,
    );
  }
}
