import { MigrationInterface, QueryRunner } from 'typeorm';

/** Each index, as made here (`up`) and as it was (`down`). */
const INDEXES = [
  {
    name: 'sessions_one_live_per_request',
    on: 'sessions (request_id)',
    up: 'request_id IS NOT NULL AND ended_at IS NULL',
    down: 'ended_at IS NULL',
  },
  {
    name: 'session_interpreters_one_live',
    on: 'session_interpreters (interpreter_id)',
    up: 'interpreter_id IS NOT NULL AND ended_at IS NULL',
    down: 'ended_at IS NULL',
  },
  {
    name: 'session_interpreters_one_live_role',
    on: 'session_interpreters (session_id, role)',
    up: 'session_id IS NOT NULL AND ended_at IS NULL',
    down: 'ended_at IS NULL',
  },
];

/**
 * The live session of a request, and the live seats of an interpreter and of a call, each indexed only where its key is
 * named, as a hearing's live session already was (sessions_one_live_per_booking): the `IS NOT NULL` of the key changes
 * nothing that these unique indexes allow (a hearing's sessions, with no request, never clashed; a seat always has its
 * interpreter and its call), but a look-up by another key can no longer walk them. An interpreter's live call
 * (sessions: MatchingRepository.liveRequestsOf) and her live seat (session_interpreters: matching_free, asked of every
 * candidate of every dispatch) were read through the index of the request's or the call's instead of hers under plans
 * made while no call was live, where all looked empty: every live call or seat, and the entries of the ended ones not
 * yet vacuumed, read to find hers (BENCHMARKS.md, "Stop 48"; test/medium/ladder.medium-spec.ts).
 */
export class LiveIndexesByTheirKey1765900000000 implements MigrationInterface {
  name = 'LiveIndexesByTheirKey1765900000000';

  async up(q: QueryRunner): Promise<void> {
    for (const i of INDEXES) await remake(q, i.name, i.on, i.up);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const i of INDEXES) await remake(q, i.name, i.on, i.down);
  }
}

async function remake(q: QueryRunner, name: string, on: string, predicate: string) {
  await q.query(`DROP INDEX ${name}`);
  await q.query(`CREATE UNIQUE INDEX ${name} ON ${on} WHERE ${predicate}`);
}
