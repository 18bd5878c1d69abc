import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { byKey } from '../database/by-key';
import { PG, pgCode } from '../database/pg-errors';
import { rows } from '../database/sql';
import { BOOKING_SELECT, type BookingRow, type SeatView } from './booking-row';
import { OPEN, type BookingState } from './booking-state';
import { codeOwner, type JoinCall } from '../sessions/join-codes';

/** A booking's leg: direct, or a relay chain's source and relay legs. */
export type SeatLeg = 'direct' | 'source' | 'relay';

/** One interpreter's place in a hearing (booking_interpreters). */
export interface BookingSeat {
  id: string;
  leg: SeatLeg;
  team: boolean;
  state: 'requested' | 'assigned' | 'confirmed';
  interpreter_id: string | null;
}

type Sql = Pick<EntityManager, 'query'>;

/** What an official's booking is made of, as stored. */
export interface NewBooking {
  institutionId: string;
  officialId: string;
  country: string;
  languageId: string;
  /** What the other side speaks; null: the institution's language, else the country's main one. */
  targetLanguageId: string | null;
  matter: string;
  minor: boolean;
  preferFemale: boolean;
  startsAt: Date;
  endsAt: Date;
  durationMinutes: number;
  timeZone: string;
  caseReference: string | null;
  remoteParticipant: boolean;
  followUpOf: string | null;
  preferredInterpreterId: string | null;
}

/** Whose bookings a list shows: an institution's (officials) or an interpreter's. */
export interface BookingScope {
  by: 'institution' | 'interpreter';
  id: string;
}

/** A join code found by its hash, with its state, as the redeeming transaction locks it. */
export interface LockedJoinCode {
  booking_id: string | null;
  request_id: string | null;
  used: boolean;
  expired: boolean;
}

export interface AvailabilityWindowRow {
  weekday: number;
  starts_at: string;
  ends_at: string;
  time_zone: string;
}

/**
 * The SQL of hearings: bookings, the interpreter asked to confirm each (`booking_offers`), the join codes' use
 * and interpreters' weekly windows. Methods that take `m` run inside the caller's transaction; the rules (who
 * may, in which state) are BookingsService's, BookingAssignmentService's and AvailabilityService's.
 */
@Injectable()
export class BookingsRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async load(id: string): Promise<BookingRow | null> {
    const [b] = await this.db.query(`${BOOKING_SELECT} WHERE b.id = $1`, [id]);
    return b ?? null;
  }

  /** Locks the booking's row until the caller's transaction ends: every change to a booking takes it first. */
  async lock(m: Sql, id: string): Promise<BookingRow | null> {
    const [b] = await m.query(`${BOOKING_SELECT} WHERE b.id = $1 FOR UPDATE OF b`, [id]);
    return b ?? null;
  }

  /** The new booking's id and its target, as the default made it. */
  async insert(m: Sql, b: NewBooking): Promise<{ id: string; targetLanguageId: string | null }> {
    const [row] = await m.query(
      `INSERT INTO bookings (institution_id, official_id, country, language_id, matter, minor, prefer_female, starts_at, ends_at,
         duration_minutes, time_zone, case_reference, remote_participant, follow_up_of, preferred_interpreter_id, target_language_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15,
         coalesce($16, (SELECT language_id FROM institutions WHERE id = $1), ladder_main_language($3))) RETURNING id, target_language_id`,
      [
        b.institutionId,
        b.officialId,
        b.country,
        b.languageId,
        b.matter,
        b.minor,
        b.preferFemale,
        b.startsAt,
        b.endsAt,
        b.durationMinutes,
        b.timeZone,
        b.caseReference,
        b.remoteParticipant,
        b.followUpOf,
        b.preferredInterpreterId,
        b.targetLanguageId,
      ],
    );
    return { id: row.id, targetLanguageId: row.target_language_id };
  }

  /** A scope's bookings starting in [from, to) and in `state` (each when given), by start time, 500 at most. */
  list(scope: BookingScope, q: { from: Date | null; to: Date | null; state: string | null }): Promise<BookingRow[]> {
    const mine =
      scope.by === 'institution'
        ? 'b.institution_id = $1'
        : 'EXISTS (SELECT 1 FROM booking_interpreters s WHERE s.booking_id = b.id AND s.interpreter_id = $1)';
    return this.db.query(
      `${BOOKING_SELECT}
       WHERE ${mine}
         AND ($2::timestamptz IS NULL OR b.starts_at >= $2) AND ($3::timestamptz IS NULL OR b.starts_at < $3)
         AND ($4::text IS NULL OR b.state = $4)
       ORDER BY b.starts_at LIMIT 500`,
      [scope.id, q.from, q.to, q.state],
    );
  }

  /** Moves the booking to `state`; a change its participants' calendars must see (its sequence moves). */
  async setState(m: Sql, id: string, state: BookingState, endReason?: string): Promise<void> {
    await rows(
      m,
      `UPDATE bookings SET state = $2, end_reason = coalesce($3, end_reason), sequence = sequence + 1, updated_at = now() WHERE id = $1`,
      [id, state, endReason ?? null],
    );
  }

  async markWidened(m: Sql, id: string): Promise<void> {
    await rows(m, `UPDATE bookings SET widened = true, updated_at = now() WHERE id = $1`, [id]);
  }

  /**
   * Holds her time for the hearing (with the buffer after it) in one of its seats, asked (`assigned`), and settles
   * the booking's state. False when the exclusion constraint refuses it: another hearing's seat took her time since
   * the candidates were read. The refusal is undone inside a savepoint, so the caller's transaction goes on.
   */
  async hold(m: Sql, seatId: string, interpreterId: string, bufferMinutes: number): Promise<boolean> {
    await m.query('SAVEPOINT hold');
    let held: { booking_id: string }[];
    try {
      // Her row locked first, so that bookings asking for her at once wait for each other here, one at a time: left to
      // the exclusion constraint, two concurrent holds of one interpreter each waited for the other's uncommitted row,
      // a deadlock (PostgreSQL's log of a CI run: 39 of them, when ten bookings at once asked for three interpreters,
      // until seven of them ran out of retries). A failed hold gives the lock back with its savepoint, so a booking
      // waits holding no one else's: no cycle.
      await m.query(`SELECT 1 FROM interpreters WHERE id = $1 FOR NO KEY UPDATE`, [interpreterId]);
      held = await rows<{ booking_id: string }>(
        m,
        `UPDATE booking_interpreters s SET state = 'assigned', interpreter_id = $2,
           blocked = tstzrange(b.starts_at, b.ends_at + make_interval(mins => $3))
         FROM bookings b WHERE s.id = $1 AND b.id = s.booking_id RETURNING s.booking_id`,
        [seatId, interpreterId, bufferMinutes],
      );
    } catch (e) {
      if (pgCode(e) !== PG.EXCLUSION_VIOLATION) throw e;
      await m.query('ROLLBACK TO SAVEPOINT hold');
      return false;
    }
    await m.query('RELEASE SAVEPOINT hold');
    await this.settle(m, held[0].booking_id);
    return true;
  }

  /**
   * The booking's state from its seats': `assigned` while someone is asked to confirm (seats are asked one at a
   * time), else `requested` while a seat is empty, `confirmed` once every seat is; a change to or from `confirmed`
   * moves the sequence (its participants' calendars must see it).
   */
  async settle(m: Sql, bookingId: string): Promise<void> {
    await rows(
      m,
      `UPDATE bookings b SET state = n.state, updated_at = now(),
         sequence = sequence + (CASE WHEN 'confirmed' IN (b.state, n.state) THEN 1 ELSE 0 END)
       FROM (SELECT CASE WHEN bool_or(state = 'assigned') THEN 'assigned' WHEN bool_or(state = 'requested') THEN 'requested'
                         ELSE 'confirmed' END AS state
             FROM booking_interpreters WHERE booking_id = $1 HAVING count(*) > 0) n
       WHERE b.id = $1 AND ${byKey.inStates('b.state', OPEN)} AND b.state <> n.state`,
      [bookingId],
    );
  }

  /** The booking's seats, the lead leg first, then the relay leg, each before its team partner. */
  seats(m: Sql, bookingId: string): Promise<BookingSeat[]> {
    return m.query(
      `SELECT id, leg, team, state, interpreter_id FROM booking_interpreters WHERE booking_id = $1
       ORDER BY leg = 'relay', team`,
      [bookingId],
    );
  }

  /**
   * Seats the booking anew (none of its seats holds anyone): these legs, through `relayLanguageId` for a relay chain.
   * Seats no longer planned go; the answers asked for them stay (who said no is not asked again).
   */
  async plan(m: Sql, bookingId: string, legs: { leg: SeatLeg; team: boolean }[], relayLanguageId: string | null): Promise<void> {
    await m.query(
      `DELETE FROM booking_interpreters s WHERE s.booking_id = $1
         AND NOT EXISTS (SELECT 1 FROM jsonb_to_recordset($2::jsonb) AS p (leg text, team boolean) WHERE p.leg = s.leg AND p.team = s.team)`,
      [bookingId, JSON.stringify(legs)],
    );
    await m.query(
      `INSERT INTO booking_interpreters (booking_id, leg, team)
       SELECT $1, p.leg, p.team FROM jsonb_to_recordset($2::jsonb) AS p (leg text, team boolean) ON CONFLICT DO NOTHING`,
      [bookingId, JSON.stringify(legs)],
    );
    await rows(m, `UPDATE bookings SET relay_language_id = $2 WHERE id = $1`, [bookingId, relayLanguageId]);
  }

  /** Her seat in the booking is confirmed, and the booking settles. */
  async confirmSeat(m: Sql, bookingId: string, interpreterId: string): Promise<void> {
    await rows(m, `UPDATE booking_interpreters SET state = 'confirmed' WHERE booking_id = $1 AND interpreter_id = $2`, [
      bookingId,
      interpreterId,
    ]);
    await this.settle(m, bookingId);
  }

  /**
   * An ended booking holds nobody's time any more (who sat where is kept). Each of its few seats, holding or not: asked
   * for the holding ones, a plan made while none held walked every seat holding anyone's time (src/database/by-key.ts).
   */
  async releaseHolds(m: Sql, bookingId: string): Promise<void> {
    await rows(m, `UPDATE booking_interpreters SET blocked = NULL WHERE booking_id = $1`, [bookingId]);
  }

  /**
   * The hearings she is asked for or has confirmed that have not started, soonest first; `uncertified`: only those
   * that need a valid certification where they are held and that hers is not valid for on the hearing's day (UTC),
   * by the ladder's own rules (10-ladder.sql).
   */
  async upcomingOf(interpreterId: string, { uncertified = false } = {}): Promise<string[]> {
    const found: { id: string }[] = await this.db.query(
      `SELECT b.id FROM booking_interpreters s JOIN bookings b ON b.id = s.booking_id JOIN interpreters i ON i.id = s.interpreter_id
        WHERE s.interpreter_id = $1 AND s.blocked IS NOT NULL AND ${byKey.inStates('b.state', OPEN)} AND b.starts_at > now()
          AND (NOT $2 OR (ladder_needs_certificate(b.country, b.matter, true)
                          AND NOT ladder_certified(i.certification_body, i.certification_expires, (b.starts_at AT TIME ZONE 'UTC')::date)))
        ORDER BY b.starts_at`,
      [interpreterId, uncertified],
    );
    return found.map((b) => b.id);
  }

  /** Her seat back to empty (if she still holds it), and the booking settles (back to `requested`). */
  async release(m: Sql, id: string, interpreterId: string): Promise<void> {
    await rows(
      m,
      `UPDATE booking_interpreters SET state = 'requested', interpreter_id = NULL, blocked = NULL WHERE booking_id = $1 AND interpreter_id = $2`,
      [id, interpreterId],
    );
    await this.settle(m, id);
  }

  // ---- the interpreter asked to confirm ------------------------------------------------------------------

  async insertOffer(
    m: Sql,
    o: { bookingId: string; seatId: string; interpreterId: string; tier: number; expiresAt: Date },
  ): Promise<string> {
    const [offer] = await m.query(
      `INSERT INTO booking_offers (booking_id, seat_id, interpreter_id, tier, expires_at) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
      [o.bookingId, o.seatId, o.interpreterId, o.tier, o.expiresAt],
    );
    return offer.id;
  }

  async hasPendingOffer(m: Sql, bookingId: string): Promise<boolean> {
    const [pending] = await m.query(`SELECT 1 FROM booking_offers WHERE booking_id = $1 AND outcome IS NULL`, [bookingId]);
    return !!pending;
  }

  /**
   * Each seat as the booking's view shows it: who holds it and her answer; an empty seat that someone held (she said
   * no, let the time pass, could no longer come or was suspended) is `declined` until someone else is asked, else
   * `searching`.
   */
  async seatViews(bookingId: string): Promise<(SeatView & { interpreterId: string | null })[]> {
    return this.db.query(
      `SELECT i.first_name AS "firstName", s.leg, s.team, s.interpreter_id AS "interpreterId",
         CASE s.state WHEN 'confirmed' THEN 'confirmed' WHEN 'assigned' THEN 'asked'
           ELSE CASE WHEN EXISTS (SELECT 1 FROM booking_offers o WHERE o.seat_id = s.id) THEN 'declined' ELSE 'searching' END END AS state
       FROM booking_interpreters s LEFT JOIN interpreters i ON i.id = s.interpreter_id
       WHERE s.booking_id = $1 ORDER BY s.leg = 'relay', s.team`,
      [bookingId],
    );
  }

  /** Until when the interpreter asked may still confirm (null when nobody is asked). */
  async confirmBy(bookingId: string): Promise<Date | null> {
    const [offer] = await this.db.query(`SELECT expires_at FROM booking_offers WHERE booking_id = $1 AND outcome IS NULL`, [bookingId]);
    return offer?.expires_at ?? null;
  }

  /** Her pending offer, confirmed if it has not expired; its id, or null. */
  async confirmOffer(m: Sql, bookingId: string, interpreterId: string): Promise<string | null> {
    const [offer] = await rows<{ id: string }>(
      m,
      `UPDATE booking_offers SET outcome = 'confirmed', decided_at = now()
       WHERE booking_id = $1 AND interpreter_id = $2 AND outcome IS NULL AND expires_at > now() RETURNING id`,
      [bookingId, interpreterId],
    );
    return offer?.id ?? null;
  }

  /** Closes the booking's pending offers (only hers, when `interpreterId` is given) with this outcome; their ids. */
  async closeOffers(m: Sql, bookingId: string, outcome: 'declined' | 'withdrawn', interpreterId: string | null = null): Promise<string[]> {
    const closed = await rows<{ id: string }>(
      m,
      `UPDATE booking_offers SET outcome = $2, decided_at = now()
       WHERE booking_id = $1 AND outcome IS NULL AND ($3::uuid IS NULL OR interpreter_id = $3) RETURNING id`,
      [bookingId, outcome, interpreterId],
    );
    return closed.map((o) => o.id);
  }

  async bookingOfOffer(m: Sql, offerId: string): Promise<string | null> {
    const [o] = await m.query(`SELECT booking_id FROM booking_offers WHERE id = $1`, [offerId]);
    return o?.booking_id ?? null;
  }

  /** Expires the offer if it is still pending; the interpreter who was asked, or null. */
  async expireOffer(m: Sql, offerId: string): Promise<string | null> {
    const [closed] = await rows<{ interpreter_id: string }>(
      m,
      `UPDATE booking_offers SET outcome = 'expired', decided_at = now() WHERE id = $1 AND ${byKey.undecided()} RETURNING interpreter_id`,
      [offerId],
    );
    return closed?.interpreter_id ?? null;
  }

  // ---- an interpreter's weekly windows ----------------------------------------------------------------------

  /** Her windows, in her time zone, by weekday and start ('HH:MM:SS' text as PostgreSQL writes a time). */
  availabilityOf(interpreterId: string): Promise<AvailabilityWindowRow[]> {
    return this.db.query(
      `SELECT weekday, starts_at::text, ends_at::text, time_zone FROM interpreter_availability WHERE interpreter_id = $1 ORDER BY weekday, starts_at`,
      [interpreterId],
    );
  }

  /** Replaces all her windows inside the caller's transaction. */
  async replaceAvailability(
    m: Sql,
    interpreterId: string,
    windows: readonly { weekday: number; start: string; end: string }[],
    timeZone: string,
  ): Promise<void> {
    await m.query(`DELETE FROM interpreter_availability WHERE interpreter_id = $1`, [interpreterId]);
    for (const w of windows) {
      await m.query(
        `INSERT INTO interpreter_availability (interpreter_id, weekday, starts_at, ends_at, time_zone) VALUES ($1, $2, $3, $4, $5)`,
        [interpreterId, w.weekday, w.start, w.end, timeZone],
      );
    }
  }

  // ---- join codes ------------------------------------------------------------------------------------------

  /** The call a code's hash opens, read without a lock. */
  async callOfCode(codeHash: string): Promise<{ booking_id: string | null; request_id: string | null } | null> {
    const [known] = await this.db.query(`SELECT booking_id, request_id FROM join_codes WHERE code_hash = $1`, [codeHash]);
    return known ?? null;
  }

  async lockCode(m: Sql, codeHash: string): Promise<LockedJoinCode | null> {
    const [c] = await m.query(
      `SELECT booking_id, request_id, used_at IS NOT NULL AS used, expires_at <= now() AS expired FROM join_codes
        WHERE code_hash = $1 FOR UPDATE`,
      [codeHash],
    );
    return c ?? null;
  }

  async markCodeUsed(m: Sql, call: JoinCall): Promise<void> {
    const { column, id } = codeOwner(call);
    await rows(m, `UPDATE join_codes SET used_at = now() WHERE ${column} = $1`, [id]);
  }

  async forgetCode(m: Sql, call: JoinCall): Promise<void> {
    const { column, id } = codeOwner(call);
    await rows(m, `DELETE FROM join_codes WHERE ${column} = $1`, [id]);
  }

  // ---- the sweep -------------------------------------------------------------------------------------------

  /** Pending offers whose time ran out (their expiry job was lost). */
  async overdueOffers(): Promise<string[]> {
    const found: { id: string }[] = await this.db.query(
      `SELECT id FROM booking_offers WHERE outcome IS NULL AND expires_at < now() - interval '2 seconds' LIMIT 200`,
    );
    return found.map((o) => o.id);
  }

  /** Open bookings whose call closed `overrunMinutes` after their end. */
  async pastTheirCall(overrunMinutes: number): Promise<string[]> {
    const found: { id: string }[] = await this.db.query(
      `SELECT id FROM bookings WHERE state IN ('requested','assigned','confirmed') AND ends_at < now() - make_interval(mins => $1) LIMIT 200`,
      [overrunMinutes],
    );
    return found.map((b) => b.id);
  }

  /** Unconfirmed bookings not widened yet that start within `seconds`. */
  async dueToWiden(seconds: number): Promise<string[]> {
    const found: { id: string }[] = await this.db.query(
      `SELECT id FROM bookings WHERE state IN ('requested','assigned') AND NOT widened AND starts_at < now() + make_interval(secs => $1) LIMIT 200`,
      [seconds],
    );
    return found.map((b) => b.id);
  }

  /** Future bookings with no interpreter and nobody asked, soonest first. */
  async nobodyAsked(): Promise<string[]> {
    const found: { id: string }[] = await this.db.query(
      `SELECT b.id FROM bookings b WHERE b.state = 'requested' AND b.starts_at > now()
       AND NOT EXISTS (SELECT 1 FROM booking_offers o WHERE o.booking_id = b.id AND o.outcome IS NULL)
       ORDER BY b.starts_at LIMIT 100`,
    );
    return found.map((b) => b.id);
  }

  /** Open bookings starting within `seconds`. */
  startingWithin(seconds: number): Promise<{ id: string; starts_at: Date }[]> {
    return this.db.query(
      `SELECT id, starts_at FROM bookings WHERE state IN ('requested','assigned','confirmed') AND starts_at BETWEEN now() AND now() + make_interval(secs => $1) LIMIT 500`,
      [seconds],
    );
  }
}
