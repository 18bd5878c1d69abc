import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Times that follow one another in a record's life never run backwards. Each statement stamps `now()`, the
 * start of its own transaction: a transaction that began before an offer was made can still withdraw it once
 * it sees it, and would write a decision older than the offer (a negative ring time in the statistics; a
 * range PostgreSQL refuses). These triggers clamp each later time to the earlier one it follows.
 */
export class TimeOrder1764660000000 implements MigrationInterface {
  name = 'TimeOrder1764660000000';

  async up(q: QueryRunner): Promise<void> {
    // offers and booking_offers: the same two columns.
    await q.query(`
      CREATE FUNCTION offer_time_order() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.decided_at < NEW.created_at THEN NEW.decided_at := NEW.created_at; END IF;
        RETURN NEW;
      END $$`);
    await q.query(`CREATE TRIGGER offers_time_order BEFORE UPDATE OF decided_at ON offers FOR EACH ROW EXECUTE FUNCTION offer_time_order()`);
    await q.query(`CREATE TRIGGER booking_offers_time_order BEFORE UPDATE OF decided_at ON booking_offers FOR EACH ROW EXECUTE FUNCTION offer_time_order()`);
    await q.query(`
      CREATE FUNCTION session_time_order() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.started_at < NEW.created_at THEN NEW.started_at := NEW.created_at; END IF;
        IF NEW.ended_at < coalesce(NEW.started_at, NEW.created_at) THEN NEW.ended_at := coalesce(NEW.started_at, NEW.created_at); END IF;
        RETURN NEW;
      END $$`);
    await q.query(`CREATE TRIGGER sessions_time_order BEFORE UPDATE OF started_at, ended_at ON sessions FOR EACH ROW EXECUTE FUNCTION session_time_order()`);
    await q.query(`
      CREATE FUNCTION request_time_order() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.first_offered_at < NEW.created_at THEN NEW.first_offered_at := NEW.created_at; END IF;
        IF NEW.accepted_at < NEW.created_at THEN NEW.accepted_at := NEW.created_at; END IF;
        IF NEW.ended_at < coalesce(NEW.accepted_at, NEW.created_at) THEN NEW.ended_at := coalesce(NEW.accepted_at, NEW.created_at); END IF;
        RETURN NEW;
      END $$`);
    await q.query(
      `CREATE TRIGGER requests_time_order BEFORE UPDATE OF first_offered_at, accepted_at, ended_at ON interpretation_requests FOR EACH ROW EXECUTE FUNCTION request_time_order()`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER requests_time_order ON interpretation_requests`);
    await q.query(`DROP FUNCTION request_time_order()`);
    await q.query(`DROP TRIGGER sessions_time_order ON sessions`);
    await q.query(`DROP FUNCTION session_time_order()`);
    await q.query(`DROP TRIGGER booking_offers_time_order ON booking_offers`);
    await q.query(`DROP TRIGGER offers_time_order ON offers`);
    await q.query(`DROP FUNCTION offer_time_order()`);
  }
}
