import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Hearings with more than one interpreter (issue 14): a booking has seats (`booking_interpreters`), one per leg and
 * per team place: `direct` (her language into the target), or a relay chain's `source` (her language into the relay
 * language, `bookings.relay_language_id`) and `relay` (the relay language into the target); `team` marks the partner
 * who takes turns on the lead leg of a long hearing. Each seat is asked and confirmed on its own; the exclusion
 * constraint on the seats (moved here from `bookings`) is what keeps an interpreter from being held twice for the
 * same hour, whichever seat of whichever hearing. A seat keeps who sat in it after the hearing (history); only its
 * hold (`blocked`) goes.
 */
export class BookingInterpreters1765710000000 implements MigrationInterface {
  name = 'BookingInterpreters1765710000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE bookings ADD COLUMN relay_language_id uuid REFERENCES languages (id)`);
    await q.query(`
      CREATE TABLE booking_interpreters (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        booking_id uuid NOT NULL REFERENCES bookings (id) ON DELETE CASCADE,
        leg varchar(6) NOT NULL CHECK (leg IN ('direct', 'source', 'relay')),
        team boolean NOT NULL DEFAULT false,
        state varchar(10) NOT NULL DEFAULT 'requested' CHECK (state IN ('requested', 'assigned', 'confirmed')),
        interpreter_id uuid REFERENCES interpreters (id),
        blocked tstzrange,
        CONSTRAINT booking_interpreters_one_seat UNIQUE (booking_id, leg, team),
        CONSTRAINT booking_interpreters_held CHECK ((state = 'requested') = (interpreter_id IS NULL)),
        CONSTRAINT booking_interpreters_no_overlap EXCLUDE USING gist (interpreter_id WITH =, blocked WITH &&)
      )`);
    // Every booking so far had one interpreter: its direct seat, with its hold while it is open.
    await q.query(`
      INSERT INTO booking_interpreters (booking_id, leg, team, state, interpreter_id, blocked)
      SELECT b.id, 'direct', false,
        CASE WHEN b.interpreter_id IS NULL THEN 'requested'
             WHEN b.state IN ('assigned', 'confirmed') THEN b.state
             WHEN EXISTS (SELECT 1 FROM booking_offers o WHERE o.booking_id = b.id AND o.interpreter_id = b.interpreter_id AND o.outcome = 'confirmed')
               THEN 'confirmed'
             ELSE 'assigned' END,
        b.interpreter_id,
        CASE WHEN b.state IN ('assigned', 'confirmed') THEN b.blocked END
      FROM bookings b`);
    await q.query(`CREATE INDEX booking_interpreters_booking ON booking_interpreters (booking_id)`);
    await q.query(
      `CREATE INDEX booking_interpreters_interpreter ON booking_interpreters (interpreter_id, booking_id) WHERE interpreter_id IS NOT NULL`,
    );
    // Matching asks on every call whether she holds a hearing now: only the seats that hold time.
    await q.query(`CREATE INDEX booking_interpreters_holding ON booking_interpreters (interpreter_id) WHERE blocked IS NOT NULL`);
    // The seat each answer was asked for (kept when a booking's seats are planned again: who said no stays known).
    await q.query(`ALTER TABLE booking_offers ADD COLUMN seat_id uuid REFERENCES booking_interpreters (id) ON DELETE SET NULL`);
    await q.query(`UPDATE booking_offers o SET seat_id = s.id FROM booking_interpreters s WHERE s.booking_id = o.booking_id`);
    await q.query(
      `ALTER TABLE booking_offers ADD CONSTRAINT booking_offers_pending_seat CHECK (outcome IS NOT NULL OR seat_id IS NOT NULL)`,
    );
    // The booking's own interpreter and hold are its seats' now.
    await q.query(`ALTER TABLE bookings DROP COLUMN interpreter_id, DROP COLUMN blocked`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE bookings ADD COLUMN interpreter_id uuid REFERENCES interpreters (id), ADD COLUMN blocked tstzrange`);
    await q.query(`UPDATE bookings b SET interpreter_id = s.interpreter_id, blocked = s.blocked
                   FROM booking_interpreters s WHERE s.booking_id = b.id AND s.leg <> 'relay' AND NOT s.team`);
    // One interpreter per booking again: a booking whose lead seat is empty goes back to being searched for.
    await q.query(
      `UPDATE bookings SET state = 'requested' WHERE state IN ('assigned', 'confirmed') AND (interpreter_id IS NULL OR blocked IS NULL)`,
    );
    await q.query(`ALTER TABLE booking_offers DROP COLUMN seat_id`);
    await q.query(`DROP TABLE booking_interpreters`);
    await q.query(`ALTER TABLE bookings DROP COLUMN relay_language_id`);
    await q.query(`CREATE INDEX bookings_interpreter ON bookings (interpreter_id, starts_at)`);
    await q.query(`CREATE INDEX bookings_confirmed_interpreter ON bookings (interpreter_id, starts_at) WHERE state = 'confirmed'`);
    await q.query(
      `ALTER TABLE bookings ADD CONSTRAINT bookings_held CHECK (state NOT IN ('assigned', 'confirmed') OR (interpreter_id IS NOT NULL AND blocked IS NOT NULL))`,
    );
    await q.query(
      `ALTER TABLE bookings ADD CONSTRAINT bookings_no_overlap EXCLUDE USING gist (interpreter_id WITH =, blocked WITH &&) WHERE (state IN ('assigned', 'confirmed'))`,
    );
  }
}
