import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Matching looks up live rows only (issue 13, BENCHMARKS.md): partial indexes over waiting requests, pending
 * offers and confirmed hearings, so that a dispatch costs the same after a year of ended requests, offers and
 * bookings as on the first day. Interpreters' rows change after every call (when her last session ended):
 * room left on each page keeps those updates in place (HOT), without a new entry in every index.
 */
export class MatchingLiveIndexes1765300000000 implements MigrationInterface {
  name = 'MatchingLiveIndexes1765300000000';

  async up(q: QueryRunner): Promise<void> {
    // The line for one language: who else waits (acceptance, endings, places in line), what an interpreter can serve.
    await q.query(
      `CREATE INDEX requests_waiting_language ON interpretation_requests (language_id, priority DESC, minor DESC, queued_at) WHERE state IN ('queued', 'offering')`,
    );
    // A request's ringing offers: how many more may ring, which to withdraw.
    await q.query(`CREATE INDEX offers_pending_request ON offers (request_id) WHERE outcome IS NULL`);
    // Hearings an interpreter is kept for (from half an hour before a confirmed one until its end).
    await q.query(`CREATE INDEX bookings_confirmed_interpreter ON bookings (interpreter_id, starts_at) WHERE state = 'confirmed'`);
    await q.query(`ALTER TABLE interpreters SET (fillfactor = 90)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE interpreters RESET (fillfactor)`);
    await q.query(`DROP INDEX bookings_confirmed_interpreter`);
    await q.query(`DROP INDEX offers_pending_request`);
    await q.query(`DROP INDEX requests_waiting_language`);
  }
}
