import { MigrationInterface, QueryRunner } from 'typeorm';

// Frozen copies of the domain lists (as in the baseline): a migration must not change meaning when src/common does.
const COUNTRIES = `'BZ','CA','CR','DO','SV','GT','HN','MX','NI','PA','US'`;
const MATTERS = `'legal_civil','legal_labour','legal_criminal','violence','trafficking','other'`;

/**
 * Looking after interpreters (issue 15, item 4):
 * - `interpreters.wrapup_until`: her wrap-up time after a call (WRAPUP_SECONDS for its matter), stamped by session_end in
 *   the transaction that ends the call, so no node can offer her anything before it is over; `wrapup_extended`: she
 *   extended it (once).
 * - `interpreters.care_calls`: when she accepted violence or trafficking calls in the last 24 hours, for her roster's cap.
 * - `roster_call_limits`: that cap, per roster (no row: no cap).
 * - `debrief_requests`: "I need a debrief", metadata only (who, when, the matter of her last call).
 */
export class WrapupAndCare1765770000000 implements MigrationInterface {
  name = 'WrapupAndCare1765770000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE interpreters
      ADD COLUMN wrapup_until timestamptz,
      ADD COLUMN wrapup_extended boolean NOT NULL DEFAULT false,
      ADD COLUMN care_calls timestamptz[] NOT NULL DEFAULT '{}'`);
    await q.query(`
      CREATE TABLE roster_call_limits (
        country char(2) PRIMARY KEY CHECK (country IN (${COUNTRIES})),
        violence_trafficking_per_day smallint NOT NULL CHECK (violence_trafficking_per_day BETWEEN 1 AND 50),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE debrief_requests (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        interpreter_id uuid NOT NULL REFERENCES interpreters(id) ON DELETE CASCADE,
        country char(2) NOT NULL CHECK (country IN (${COUNTRIES})),
        matter varchar(20) CHECK (matter IN (${MATTERS})),
        requested_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX debrief_requests_country ON debrief_requests (country, requested_at DESC)`);
    await q.query(`CREATE INDEX debrief_requests_interpreter ON debrief_requests (interpreter_id, requested_at DESC)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE debrief_requests`);
    await q.query(`DROP TABLE roster_call_limits`);
    await q.query(`ALTER TABLE interpreters DROP COLUMN wrapup_until, DROP COLUMN wrapup_extended, DROP COLUMN care_calls`);
  }
}
