import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The index of live calls by their lead interpreter names its key, as the other indexes of live rows do since
 * migration 1765900000000: a look-up of a call by another key (its id, its request, its hearing) can no longer walk every
 * live call through it under a plan made while none was live (a quiet night's ANALYZE). It holds what it held:
 * sessions.interpreter_id is never null. The one whole-set reader that used it, /metrics' count of live calls
 * (DomainMetrics), names the key too.
 */
export class SessionsLiveLeadByItsKey1765910000000 implements MigrationInterface {
  name = 'SessionsLiveLeadByItsKey1765910000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX sessions_live_lead`);
    await q.query(`CREATE INDEX sessions_live_lead ON sessions (interpreter_id) WHERE interpreter_id IS NOT NULL AND ended_at IS NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX sessions_live_lead`);
    await q.query(`CREATE INDEX sessions_live_lead ON sessions (interpreter_id) WHERE ended_at IS NULL`);
  }
}
