import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AuditOutbox } from '../audit/audit-outbox';
import { AppConfig } from '../config/config.schema';
import { withRetry } from '../database/retry';
import { RostersService } from '../rosters/rosters.service';
import { findBookingCandidates } from './booking-candidates';
import { BookingJobs } from './booking-jobs';
import { BookingNotifier } from './booking-notifier';
import { seatLanguages, type BookingRow } from './booking-row';
import { BookingsRepository, type BookingSeat, type SeatLeg } from './bookings.repository';

/** An empty seat, with what it interprets from and into. */
type SeatPlan = BookingSeat & ReturnType<typeof seatLanguages>;

/**
 * Finds the interpreters of a booked hearing, seat by seat (a direct seat, or a relay chain's two legs; a team
 * partner for a long hearing), and asks each to confirm, one at a time, by the ladder of DESIGN.md: the booking's
 * own roster first, and the rosters that share with it once the own roster has nobody left or the hearing is near
 * with nobody confirmed. Holding her time is a row update that the exclusion constraint on `booking_interpreters`
 * checks at once, so two officials booking the same person for the same hour in the same instant cannot both get
 * her, whichever seat: the second one's update fails and she moves to the next.
 */
@Injectable()
export class BookingAssignmentService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly repo: BookingsRepository,
    private readonly config: AppConfig,
    private readonly audit: AuditOutbox,
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
        const b = await this.repo.lock(m, bookingId);
        if (!b || b.state !== 'requested') return null;
        if (await this.repo.hasPendingOffer(m, bookingId)) return null;
        let widened = b.widened;
        let widenedNow = false;
        // Its event is written only once no lock is waited for any more (after a hold, or when nobody was found): the
        // event takes the audit chain's head, one lock for every transaction, and a booking holding it while its hold
        // waited for another booking's interpreter (BookingsRepository.hold), whose own event waited for the head, was a
        // deadlock.
        const widenedEvent = () =>
          this.audit.add(m, 'booking.widened', { subjectId: bookingId, country: b.country, data: { reason: 'own_roster_exhausted' } });
        for (;;) {
          const countries = widened ? sharing : [b.country];
          const seat = await this.nextSeat(m, b, countries, sharing);
          const offer = seat && (await this.tryCandidates(m, b, seat, countries, sharing, widenedNow ? widenedEvent : undefined));
          if (offer) return { b, offer, widenedNow };
          if (widened) {
            if (widenedNow) await widenedEvent();
            return { b, offer: null, widenedNow };
          }
          // Nobody left in the own roster: widen now rather than wait for the deadline.
          await this.repo.markWidened(m, bookingId);
          widened = widenedNow = true;
        }
      }),
    );
    if (!result) return;
    await this.audit.chained();
    const fresh = (await this.load(bookingId))!;
    if (result.offer) {
      await this.jobs.scheduleOfferExpiry(result.offer.id, result.offer.expiresAt);
      await this.notifier.tell(fresh, { notice: 'asked' }, { official: false, interpreterId: result.offer.interpreterId });
      await this.notifier.tell(fresh, result.widenedNow ? { notice: 'widened' } : {}, { official: true });
    } else if (result.widenedNow || !quietIfNone) {
      await this.notifier.tell(fresh, { notice: 'no_interpreter' }, { official: true });
    }
  }

  /**
   * The first empty seat of the booking, the lead leg's first. While nobody holds any of its seats, the booking is
   * seated anew from who could come now (`countries`): a direct seat if someone covers the woman's language into
   * the target; else a relay chain through the first relay language (ladder_relay_languages) for which two different
   * people cover each leg; else a direct seat for the best single interpreter. A hearing longer than
   * BOOKING_TEAM_MINUTES also gets a team partner on its lead leg.
   */
  private async nextSeat(m: EntityManager, b: BookingRow, countries: string[], sharing: string[]): Promise<SeatPlan | null> {
    let seats = await this.repo.seats(m, b.id);
    if (seats.every((s) => s.state === 'requested')) {
      const relay = await this.relayNeeded(m, b, countries, sharing);
      const lead: SeatLeg = relay ? 'source' : 'direct';
      const legs = [{ leg: lead, team: false }, ...(relay ? [{ leg: 'relay' as const, team: false }] : [])];
      if (b.duration_minutes > this.config.BOOKING_TEAM_MINUTES) legs.push({ leg: lead, team: true });
      await this.repo.plan(m, b.id, legs, relay);
      b.relay_language_id = relay;
      seats = await this.repo.seats(m, b.id);
    }
    const seat = seats.find((s) => s.state === 'requested');
    return seat ? { ...seat, ...seatLanguages(b, seat.leg) } : null;
  }

  /** The relay language a chain must go through, or null when someone covers the target directly (or no chain can). */
  private async relayNeeded(m: EntityManager, b: BookingRow, countries: string[], sharing: string[]): Promise<string | null> {
    const anyone = (from: string, to: string | null, limit: number) =>
      findBookingCandidates(m, { ...this.query(b, countries, sharing), languageId: from, targetLanguageId: to, mustCover: true, limit });
    if (!b.target_language_id || (await anyone(b.language_id, b.target_language_id, 1)).length) return null;
    const [{ relays }] = await m.query(`SELECT ladder_relay_languages($1, $2) AS relays`, [b.language_id, b.target_language_id]);
    for (const relay of relays as string[]) {
      const sources = await anyone(b.language_id, relay, 2);
      const relayers = await anyone(relay, b.target_language_id, 2);
      // Two different people: never the same one for both legs.
      if (sources.some((s) => relayers.some((r) => r.interpreterId !== s.interpreterId))) return relay;
    }
    return null;
  }

  private query(b: BookingRow, countries: string[], sharing: string[]) {
    return {
      bookingId: b.id,
      matter: b.matter,
      minor: b.minor,
      preferFemale: b.prefer_female,
      rosterCountries: countries,
      preferredCountries: sharing,
      preferredId: null as string | null,
      startsAt: b.starts_at,
      endsAt: b.ends_at,
      bufferMinutes: this.config.BOOKING_BUFFER_MINUTES,
    };
  }

  /** The best free candidates for the seat in turn, until one can be held; the offer made, or null. */
  /** `before`: an event of this transaction to write first, once she is held (assignNext says why). */
  private async tryCandidates(
    m: EntityManager,
    b: BookingRow,
    seat: SeatPlan,
    countries: string[],
    sharing: string[],
    before?: () => Promise<unknown>,
  ) {
    const candidates = await findBookingCandidates(m, {
      ...this.query(b, countries, sharing),
      languageId: seat.languageId,
      targetLanguageId: seat.targetLanguageId,
      // A relay chain's legs each cover their own target; a direct seat takes the best single one if nobody covers.
      mustCover: seat.leg !== 'direct',
      // A follow-up hearing asks its earlier interpreter first, for the lead seat.
      preferredId: seat.leg !== 'relay' && !seat.team ? b.preferred_interpreter_id : null,
      limit: 10,
    });
    const buffer = this.config.BOOKING_BUFFER_MINUTES;
    // She has the confirmation time to answer, but never past the hearing's start.
    const expiresAt = new Date(Math.min(Date.now() + this.config.BOOKING_CONFIRM_SECONDS * 1000, b.starts_at.getTime()));
    for (const c of candidates) {
      // Someone else's hearing may have taken her time since the candidates were read: then the next one.
      if (!(await this.repo.hold(m, seat.id, c.interpreterId, buffer))) continue;
      await before?.();
      const offerId = await this.repo.insertOffer(m, {
        bookingId: b.id,
        seatId: seat.id,
        interpreterId: c.interpreterId,
        tier: c.tier,
        expiresAt,
      });
      await this.audit.add(m, 'booking.assigned', {
        subjectId: b.id,
        country: b.country,
        data: { interpreterId: c.interpreterId, tier: c.tier, offerId, leg: seat.leg, team: seat.team },
      });
      return { id: offerId, interpreterId: c.interpreterId, expiresAt };
    }
    return null;
  }

  /** Her time to answer ran out: the next candidate is asked. */
  async expireOffer(offerId: string) {
    const done = await withRetry(() =>
      this.db.transaction(async (m) => {
        const bookingId = await this.repo.bookingOfOffer(m, offerId);
        if (!bookingId) return null;
        const b = await this.repo.lock(m, bookingId);
        const interpreterId = await this.repo.expireOffer(m, offerId);
        if (!b || !interpreterId) return null;
        await this.repo.release(m, b.id, interpreterId);
        await this.audit.add(m, 'booking.expired', { subjectId: b.id, country: b.country, data: { interpreterId, offerId } });
        return { bookingId: b.id, interpreterId };
      }),
    );
    if (!done) return;
    await this.audit.chained();
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
        const b = await this.repo.lock(m, bookingId);
        if (!b || (b.state !== 'requested' && b.state !== 'assigned')) return null;
        if (!b.widened) {
          await this.repo.markWidened(m, bookingId);
          await this.audit.add(m, 'booking.widened', { subjectId: bookingId, country: b.country, data: { reason: 'unconfirmed' } });
        }
        return b;
      }),
    );
    if (!done) return;
    await this.audit.chained();
    const b = (await this.load(bookingId))!;
    await this.notifier.tell(b, { notice: 'unconfirmed' }, { official: true });
    if (b.state === 'requested') await this.assignNext(bookingId, true);
  }

  private load(id: string): Promise<BookingRow | null> {
    return this.repo.load(id);
  }
}
