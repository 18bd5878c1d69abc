import { MigrationInterface, QueryRunner } from 'typeorm';

/** Each index, as made here (`up`) and as it was (`down`). */
const INDEXES: { name: string; on: string; unique: boolean; up: string; down: string }[] = [
  {
    name: 'offers_pending_expiry',
    on: 'offers (expires_at)',
    unique: false,
    up: 'expires_at IS NOT NULL AND outcome IS NULL',
    down: 'outcome IS NULL',
  },
  {
    name: 'offers_pending_request',
    on: 'offers (request_id)',
    unique: false,
    up: 'request_id IS NOT NULL AND outcome IS NULL',
    down: 'outcome IS NULL',
  },
  {
    name: 'offers_one_hold_per_interpreter',
    on: 'offers (interpreter_id)',
    unique: true,
    up: 'interpreter_id IS NOT NULL AND holds',
    down: 'holds',
  },
  {
    name: 'sessions_one_live_per_request',
    on: 'sessions (request_id)',
    unique: true,
    up: 'request_id IS NOT NULL AND ended_at IS NULL',
    down: 'ended_at IS NULL',
  },
  {
    name: 'session_interpreters_one_live',
    on: 'session_interpreters (interpreter_id)',
    unique: true,
    up: 'interpreter_id IS NOT NULL AND ended_at IS NULL',
    down: 'ended_at IS NULL',
  },
  {
    name: 'session_interpreters_one_live_role',
    on: 'session_interpreters (session_id, role)',
    unique: true,
    up: 'session_id IS NOT NULL AND ended_at IS NULL',
    down: 'ended_at IS NULL',
  },
];

/**
 * The partial indexes of live rows, each usable only where its key is named, as a hearing's live session's already
 * was (sessions_one_live_per_booking): the `IS NOT NULL` of the key changes nothing that they hold or allow (the keys
 * are never null where the rows are live: a hearing's session has no request and never clashed), but a look-up by
 * another key can no longer walk one. Under plans made while nothing was live (a quiet night's ANALYZE), where all
 * looked empty, an interpreter's live call (sessions: MatchingRepository.liveRequestsOf) and her live seat
 * (session_interpreters: matching_free, asked of every candidate of every dispatch) were read through the index of
 * the request's or the call's instead of hers, and a request's ringing offers through the index of all ringing offers
 * by expiry: every live call, seat or ringing offer, and the entries of the ended ones not yet vacuumed, read to find
 * hers (BENCHMARKS.md, "Stop 48"; test/medium/ladder.medium-spec.ts). A whole live set is still read through its
 * index where its key is bounded (the sweep's `expires_at <= …`).
 */
export class LiveIndexesByTheirKey1765900000000 implements MigrationInterface {
  name = 'LiveIndexesByTheirKey1765900000000';

  async up(q: QueryRunner): Promise<void> {
    for (const i of INDEXES) await remake(q, i, i.up);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const i of INDEXES) await remake(q, i, i.down);
  }
}

async function remake(q: QueryRunner, i: (typeof INDEXES)[number], predicate: string) {
  await q.query(`DROP INDEX ${i.name}`);
  await q.query(`CREATE ${i.unique ? 'UNIQUE ' : ''}INDEX ${i.name} ON ${i.on} WHERE ${predicate}`);
}
