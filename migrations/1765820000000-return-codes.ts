import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Her way back (issue 16, item 4): when an interpreter takes her call she gets a six-digit return code; within 24
 * hours it rings the same interpreter first.
 * - `return_codes`: only a keyed hash of the code, the interpreter it rings, when it expires, and the request it was
 *   given for (one code per request: a new interpreter's replaces it, and "another interpreter" voids it). Used
 *   once: redeeming deletes it. Expired ones are purged (RetentionService).
 * - `interpretation_requests.return_to`: the interpreter a request made with a return code rings first.
 */
export class ReturnCodes1765820000000 implements MigrationInterface {
  name = 'ReturnCodes1765820000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE return_codes (
      code_hash varchar(64) PRIMARY KEY,
      interpreter_id uuid NOT NULL REFERENCES interpreters (id) ON DELETE CASCADE,
      request_id uuid NOT NULL UNIQUE REFERENCES interpretation_requests (id) ON DELETE CASCADE,
      expires_at timestamptz NOT NULL
    )`);
    await q.query(`CREATE INDEX return_codes_expires_at ON return_codes (expires_at)`);
    await q.query(`ALTER TABLE interpretation_requests ADD COLUMN return_to uuid REFERENCES interpreters (id) ON DELETE SET NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE interpretation_requests DROP COLUMN return_to`);
    await q.query(`DROP TABLE return_codes`);
  }
}
