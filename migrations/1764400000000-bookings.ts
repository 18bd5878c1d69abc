import { MigrationInterface, QueryRunner } from 'typeorm';

const COUNTRIES = `'BZ','CA','CR','DO','SV','GT','HN','MX','NI','PA','US'`;

/**
 * Hearings booked ahead by officials. The guarantee that matters most is a constraint here, so that it
 * holds whatever the number of nodes and however two officials race: an interpreter's blocked time (the
 * hearing plus the buffer after it) never overlaps another hearing she is assigned to or has confirmed.
 */
export class Bookings1764400000000 implements MigrationInterface {
  name = 'Bookings1764400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE EXTENSION IF NOT EXISTS btree_gist`);

    // Weekly windows in the interpreter's own time zone (so a daylight-saving change moves them with her).
    await q.query(`
      CREATE TABLE interpreter_availability (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        interpreter_id uuid NOT NULL REFERENCES interpreters(id) ON DELETE CASCADE,
        weekday smallint NOT NULL CHECK (weekday BETWEEN 1 AND 7),
        starts_at time NOT NULL,
        ends_at time NOT NULL,
        time_zone varchar(64) NOT NULL,
        CHECK (ends_at > starts_at)
      )`);
    await q.query(`CREATE INDEX interpreter_availability_interpreter ON interpreter_availability (interpreter_id)`);

    await q.query(`
      CREATE TABLE bookings (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        institution varchar(120) NOT NULL,
        official_id uuid NOT NULL REFERENCES users(id),
        country char(2) NOT NULL CHECK (country IN (${COUNTRIES})),
        language_id uuid NOT NULL REFERENCES languages(id),
        matter varchar(20) NOT NULL,
        minor boolean NOT NULL DEFAULT false,
        prefer_female boolean NOT NULL DEFAULT false,
        starts_at timestamptz NOT NULL,
        ends_at timestamptz NOT NULL,
        duration_minutes integer NOT NULL CHECK (duration_minutes BETWEEN 15 AND 600),
        time_zone varchar(64) NOT NULL,
        -- Opaque: the court's own file number or similar, never a name or a story (validated by the API).
        case_reference varchar(64),
        remote_participant boolean NOT NULL DEFAULT false,
        state varchar(12) NOT NULL DEFAULT 'requested'
          CHECK (state IN ('requested', 'assigned', 'confirmed', 'completed', 'cancelled')),
        end_reason varchar(20),
        interpreter_id uuid REFERENCES interpreters(id),
        blocked tstzrange,
        follow_up_of uuid REFERENCES bookings(id) ON DELETE SET NULL,
        preferred_interpreter_id uuid REFERENCES interpreters(id),
        widened boolean NOT NULL DEFAULT false,
        sequence integer NOT NULL DEFAULT 0,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CHECK (ends_at > starts_at),
        CHECK (state NOT IN ('assigned', 'confirmed') OR (interpreter_id IS NOT NULL AND blocked IS NOT NULL)),
        CHECK ((state IN ('completed', 'cancelled')) = (end_reason IS NOT NULL)),
        EXCLUDE USING gist (interpreter_id WITH =, blocked WITH &&) WHERE (state IN ('assigned', 'confirmed'))
      )`);
    await q.query(`CREATE INDEX bookings_institution ON bookings (institution, starts_at)`);
    await q.query(`CREATE INDEX bookings_interpreter ON bookings (interpreter_id, starts_at)`);
    await q.query(`CREATE INDEX bookings_open ON bookings (starts_at) WHERE state IN ('requested', 'assigned', 'confirmed')`);

    // Each interpreter asked to confirm a booking, and what she answered.
    await q.query(`
      CREATE TABLE booking_offers (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        booking_id uuid NOT NULL REFERENCES bookings(id) ON DELETE CASCADE,
        interpreter_id uuid NOT NULL REFERENCES interpreters(id) ON DELETE CASCADE,
        tier smallint NOT NULL CHECK (tier BETWEEN 0 AND 4),
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        outcome varchar(10) CHECK (outcome IN ('confirmed', 'declined', 'expired', 'withdrawn')),
        decided_at timestamptz,
        CHECK ((outcome IS NULL) = (decided_at IS NULL))
      )`);
    await q.query(`CREATE UNIQUE INDEX booking_offers_one_pending ON booking_offers (booking_id) WHERE outcome IS NULL`);
    await q.query(`CREATE INDEX booking_offers_booking ON booking_offers (booking_id, interpreter_id)`);

    // The one-time code a remote woman uses to join the hearing; only its hash is kept.
    await q.query(`
      CREATE TABLE booking_join_codes (
        booking_id uuid PRIMARY KEY REFERENCES bookings(id) ON DELETE CASCADE,
        code_hash char(64) NOT NULL UNIQUE,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        used_at timestamptz
      )`);

    // A hearing's session: at most one per booking. Its caller (a remote woman) is the anonymous subject of
    // the token her join code gave her, kept only while the session is live.
    await q.query(`ALTER TABLE sessions ADD COLUMN booking_id uuid UNIQUE REFERENCES bookings(id) ON DELETE CASCADE`);
    await q.query(`ALTER TABLE sessions ADD COLUMN caller_sub uuid`);
    await q.query(`ALTER TABLE sessions ADD CONSTRAINT sessions_request_or_booking CHECK (request_id IS NULL OR booking_id IS NULL)`);
    await q.query(`ALTER TABLE sessions ADD CONSTRAINT sessions_caller_sub_live CHECK (ended_at IS NULL OR caller_sub IS NULL)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE sessions DROP CONSTRAINT sessions_caller_sub_live`);
    await q.query(`ALTER TABLE sessions DROP CONSTRAINT sessions_request_or_booking`);
    await q.query(`ALTER TABLE sessions DROP COLUMN caller_sub`);
    await q.query(`ALTER TABLE sessions DROP COLUMN booking_id`);
    await q.query(`DROP TABLE booking_join_codes`);
    await q.query(`DROP TABLE booking_offers`);
    await q.query(`DROP TABLE bookings`);
    await q.query(`DROP TABLE interpreter_availability`);
  }
}
