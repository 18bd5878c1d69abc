import { MigrationInterface, QueryRunner } from 'typeorm';

const COUNTRIES = `'BZ','CA','CR','DO','SV','GT','HN','MX','NI','PA','US'`;
const MATTERS = `'legal_civil','legal_labour','legal_criminal','violence','trafficking'`;

/**
 * On-demand interpretation: requests, the offers made for them, and the sessions they become. The
 * guarantees of DESIGN.md are constraints here, so that they hold across any number of nodes:
 * one pending offer per interpreter, one acceptance per request, one live session per interpreter.
 */
export class Matching1763800400000 implements MigrationInterface {
  name = 'Matching1763800400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE interpretation_requests (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        language_id uuid NOT NULL REFERENCES languages(id),
        matter varchar(20) NOT NULL CHECK (matter IN (${MATTERS})),
        urgency varchar(10) NOT NULL CHECK (urgency IN ('normal', 'urgent', 'emergency')),
        minor boolean NOT NULL,
        prefer_female boolean NOT NULL DEFAULT false,
        country char(2) CHECK (country IN (${COUNTRIES})),
        -- The caller's anonymous token subject, kept only while the request is live (to route updates and
        -- to let her cancel); cleared when the request ends.
        caller_sub uuid,
        state varchar(12) NOT NULL DEFAULT 'queued'
          CHECK (state IN ('queued', 'offering', 'accepted', 'connected', 'completed', 'cancelled', 'unmatched', 'abandoned')),
        -- emergency 3, urgent 2, normal 1; minors first within an urgency; then oldest first.
        priority smallint NOT NULL,
        interpreter_id uuid REFERENCES interpreters(id),
        tier smallint,
        created_at timestamptz NOT NULL DEFAULT now(),
        first_offered_at timestamptz,
        accepted_at timestamptz,
        ended_at timestamptz,
        CHECK ((state IN ('completed', 'cancelled', 'unmatched', 'abandoned')) = (ended_at IS NOT NULL)),
        CHECK (ended_at IS NULL OR caller_sub IS NULL)
      )`);
    await q.query(`CREATE INDEX requests_waiting ON interpretation_requests (priority DESC, minor DESC, created_at) WHERE state IN ('queued', 'offering')`);
    await q.query(`CREATE INDEX requests_caller ON interpretation_requests (caller_sub) WHERE caller_sub IS NOT NULL`);
    await q.query(`CREATE INDEX requests_created ON interpretation_requests (created_at)`);

    await q.query(`
      CREATE TABLE offers (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        request_id uuid NOT NULL REFERENCES interpretation_requests(id) ON DELETE CASCADE,
        interpreter_id uuid NOT NULL REFERENCES interpreters(id) ON DELETE CASCADE,
        tier smallint NOT NULL CHECK (tier BETWEEN 1 AND 4),
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        outcome varchar(10) CHECK (outcome IN ('accepted', 'declined', 'expired', 'withdrawn')),
        decided_at timestamptz,
        CHECK ((outcome IS NULL) = (decided_at IS NULL))
      )`);
    // An interpreter never holds two offers; a request is accepted at most once; nobody is offered one request twice.
    await q.query(`CREATE UNIQUE INDEX offers_one_pending_per_interpreter ON offers (interpreter_id) WHERE outcome IS NULL`);
    await q.query(`CREATE UNIQUE INDEX offers_one_acceptance_per_request ON offers (request_id) WHERE outcome = 'accepted'`);
    await q.query(`CREATE UNIQUE INDEX offers_request_interpreter ON offers (request_id, interpreter_id)`);
    await q.query(`CREATE INDEX offers_pending_expiry ON offers (expires_at) WHERE outcome IS NULL`);

    await q.query(`
      CREATE TABLE sessions (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        request_id uuid UNIQUE REFERENCES interpretation_requests(id) ON DELETE CASCADE,
        interpreter_id uuid NOT NULL REFERENCES interpreters(id),
        created_at timestamptz NOT NULL DEFAULT now(),
        started_at timestamptz,
        ended_at timestamptz,
        end_reason varchar(30)
      )`);
    // An interpreter is in at most one live session.
    await q.query(`CREATE UNIQUE INDEX sessions_one_live_per_interpreter ON sessions (interpreter_id) WHERE ended_at IS NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE sessions`);
    await q.query(`DROP TABLE offers`);
    await q.query(`DROP TABLE interpretation_requests`);
  }
}
