import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { AppConfig } from '../config/config.schema';
import { rows } from '../database/sql';
import { PG } from '../database/pg-errors';
import { withRetry } from '../database/retry';
import { RostersService } from '../rosters/rosters.service';
import { findBookingCandidates } from './booking-candidates';
import { BookingJobs } from './booking-jobs';
import { BookingNotifier } from './booking-notifier';
import { BOOKING_SELECT, type BookingRow } from './booking-row';


/**
 * Finds an interpreter for a booked hearing and asks her to confirm, one at a time, by the ladder of
 * DESIGN.md: the booking's own roster first, and the rosters that share with it once the own roster has
 * nobody left or the hearing is near with nobody confirmed. Holding her time is a row update that the
 * exclusion constraint on `bookings` checks at once, so two officials booking the same person for the same
 * hour in the same instant cannot both get her: the second one's update fails and she moves to the next.
 */
@Injectable()
export class BookingAssignmentService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly config: AppConfig,
    private readonly audit: AuditService,
    private readonly rosters: RostersService,
    private readonly jobs: BookingJobs,
    private readonly notifier: BookingNotifier,
  ) {}

  /**
   * Asks the next candidate of a booking that has no interpreter and nobody asked. Safe to call any number of
   * times from any node (the booking row lock serialises it). `quietIfNone`: a sweep re-trying a booking
   * nobody could take does not tell the official again.
   */
  async assignNext(bookingId: string, quietIfNone = false): Promise<void> {
    const before = await this.load(bookingId);
    if (!before || before.state !== 'requested' || before.starts_at.getTime() <= Date.now()) return;
    // Read before the transaction (other services use their own pooled connections).
    const sharing = await this.rosters.countriesSharingWith(before.country);
    const result = await withRetry(() =>
      this.db.transaction(async (m) => {
        const b = await this.lock(m, bookingId);
        if (!b || b.state !== 'requested') return null;
        const [pending] = await m.query(`SELECT 1 FROM booking_offers WHERE booking_id = $1 AND outcome IS NULL`, [bookingId]);
        if (pending) return null;
        let widened = b.widened;
        let widenedNow = false;
        for (;;) {
          const offer = await this.tryCandidates(m, b, widened ? sharing : [b.country], sharing);
          if (offer) return { b, offer, widenedNow };
          if (widened) return { b, offer: null, widenedNow };
          // Nobody left in the own roster: widen now rather than wait for the deadline.
          await rows(m, `UPDATE bookings SET widened = true, updated_at = now() WHERE id = $1`, [bookingId]);
          await this.audit.record('booking.widened', { subjectId: bookingId, country: b.country, data: { reason: 'own_roster_exhausted' } }, m);
          widened = widenedNow = true;
        }
      }),
    );
    if (!result) return;
    const fresh = (await this.load(bookingId))!;
    if (result.offer) {
      await this.jobs.scheduleOfferExpiry(result.offer.id, result.offer.expiresAt);
      await this.notifier.tell(fresh, { notice: 'asked' }, { official: false, interpreterId: result.offer.interpreterId });
      await this.notifier.tell(fresh, result.widenedNow ? { notice: 'widened' } : {}, { official: true });
    } else if (result.widenedNow || !quietIfNone) {
      await this.notifier.tell(fresh, { notice: 'no_interpreter' }, { official: true });
    }
  }

  /** The best free candidates in turn, until one can be held; the offer made, or null. */
  private async tryCandidates(m: EntityManager, b: BookingRow, countries: string[], sharing: string[]) {
    const candidates = await findBookingCandidates(m, {
      bookingId: b.id,
      languageId: b.language_id,
      matter: b.matter,
      minor: b.minor,
      preferFemale: b.prefer_female,
      rosterCountries: countries,
      preferredCountries: sharing,
      preferredId: b.preferred_interpreter_id,
      startsAt: b.starts_at,
      endsAt: b.ends_at,
      bufferMinutes: this.config.BOOKING_BUFFER_MINUTES,
      limit: 10,
    });
    const buffer = this.config.BOOKING_BUFFER_MINUTES;
    // She has the confirmation time to answer, but never past the hearing's start.
    const expiresAt = new Date(Math.min(Date.now() + this.config.BOOKING_CONFIRM_SECONDS * 1000, b.starts_at.getTime()));
    for (const c of candidates) {
      await m.query('SAVEPOINT hold');
      try {
        await rows(m,
          `UPDATE bookings SET state = 'assigned', interpreter_id = $2, updated_at = now(),
             blocked = tstzrange(starts_at, ends_at + make_interval(mins => $3))
           WHERE id = $1`,
          [b.id, c.interpreterId, buffer],
        );
      } catch (e) {
        if ((e as { code?: string }).code !== PG.EXCLUSION_VIOLATION) throw e;
        // Someone else's hearing took her time since the candidates were read.
        await m.query('ROLLBACK TO SAVEPOINT hold');
        continue;
      }
      await m.query('RELEASE SAVEPOINT hold');
      const [offer] = await m.query(
        `INSERT INTO booking_offers (booking_id, interpreter_id, tier, expires_at) VALUES ($1, $2, $3, $4) RETURNING id`,
        [b.id, c.interpreterId, c.tier, expiresAt],
      );
      await this.audit.record('booking.assigned', { subjectId: b.id, country: b.country, data: { interpreterId: c.interpreterId, tier: c.tier, offerId: offer.id } }, m);
      return { id: offer.id as string, interpreterId: c.interpreterId, expiresAt };
    }
    return null;
  }

  /** Her time to answer ran out: the next candidate is asked. */
  async expireOffer(offerId: string) {
    const done = await withRetry(() =>
      this.db.transaction(async (m) => {
        const [o] = await m.query(`SELECT booking_id FROM booking_offers WHERE id = $1`, [offerId]);
        if (!o) return null;
        const b = await this.lock(m, o.booking_id);
        const [closed] = await rows(m, `UPDATE booking_offers SET outcome = 'expired', decided_at = now() WHERE id = $1 AND outcome IS NULL RETURNING interpreter_id`, [offerId]);
        if (!b || !closed) return null;
        await this.release(m, b.id, closed.interpreter_id);
        await this.audit.record('booking.expired', { subjectId: b.id, country: b.country, data: { interpreterId: closed.interpreter_id, offerId } }, m);
        return { bookingId: b.id, interpreterId: closed.interpreter_id as string };
      }),
    );
    if (!done) return;
    const b = (await this.load(done.bookingId))!;
    await this.notifier.tell(b, {}, { official: false, interpreterId: done.interpreterId });
    await this.assignNext(done.bookingId);
  }

  /**
   * The widening deadline: nobody has confirmed this close to the hearing. The official is told, and the
   * search reaches the rosters that share with hers (if it had not already).
   */
  async widen(bookingId: string) {
    const done = await withRetry(() =>
      this.db.transaction(async (m) => {
        const b = await this.lock(m, bookingId);
        if (!b || (b.state !== 'requested' && b.state !== 'assigned')) return null;
        if (!b.widened) {
          await rows(m, `UPDATE bookings SET widened = true, updated_at = now() WHERE id = $1`, [bookingId]);
          await this.audit.record('booking.widened', { subjectId: bookingId, country: b.country, data: { reason: 'unconfirmed' } }, m);
        }
        return b;
      }),
    );
    if (!done) return;
    const b = (await this.load(bookingId))!;
    await this.notifier.tell(b, { notice: 'unconfirmed' }, { official: true });
    if (b.state === 'requested') await this.assignNext(bookingId, true);
  }

  /** Back to `requested` with nobody holding it, inside the caller's transaction (the row is locked). */
  async release(m: EntityManager, bookingId: string, interpreterId: string, bumpSequence = false) {
    await rows(m,
      `UPDATE bookings SET state = 'requested', interpreter_id = NULL, blocked = NULL, updated_at = now(), sequence = sequence + $3
       WHERE id = $1 AND interpreter_id = $2`,
      [bookingId, interpreterId, bumpSequence ? 1 : 0],
    );
  }

  async lock(m: EntityManager, id: string): Promise<BookingRow | null> {
    const [b] = await m.query(`${BOOKING_SELECT} WHERE b.id = $1 FOR UPDATE OF b`, [id]);
    return b ?? null;
  }

  async load(id: string): Promise<BookingRow | null> {
    const [b] = await this.db.query(`${BOOKING_SELECT} WHERE b.id = $1`, [id]);
    return b ?? null;
  }
}
