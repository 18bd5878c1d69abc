import { ConflictException, ForbiddenException, Injectable, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { AuthService } from '../auth/auth.service';
import type { Principal } from '../auth/principal';
import { AppConfig } from '../config/config.schema';
import { rows } from '../database/sql';
import { LanguagesService } from '../languages/languages.service';
import { withRetry } from '../database/retry';
import { RostersService } from '../rosters/rosters.service';
import { roleIn, SessionsService } from '../sessions/sessions.service';
import { BookingAssignmentService } from './booking-assignment.service';
import { BookingJobs } from './booking-jobs';
import { BookingNotifier } from './booking-notifier';
import { BOOKING_SELECT, bookingView, type BookingRow, type BookingView } from './booking-row';
import { COUNTRY_TIME_ZONES, OPEN } from './booking-state';
import { parseStart } from './booking-time';
import { codeRefused, countFailure, joinCodeHasher, type RefusalReason, storeJoinCode } from './join-codes';
import type { CreateBookingDto } from './dto/create-booking.dto';
import type { ListBookingsQuery } from './dto/list-bookings.query';
import { badField } from '../common/validation';

const MAX_AHEAD_DAYS = 731;



/**
 * Hearings booked ahead by officials for their institution: the public surface of the bookings module.
 * Times are stored in UTC and shown with each hearing's time zone; every change is audited (metadata only,
 * never the case reference) and pushed as `booking:update`.
 */
@Injectable()
export class BookingsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly config: AppConfig,
    private readonly audit: AuditService,
    private readonly auth: AuthService,
    private readonly languages: LanguagesService,
    private readonly rosters: RostersService,
    private readonly sessions: SessionsService,
    private readonly assignment: BookingAssignmentService,
    private readonly jobs: BookingJobs,
    private readonly notifier: BookingNotifier,
  ) {
    this.codes = joinCodeHasher(config.JWT_SECRET);
  }

  private readonly codes: ReturnType<typeof joinCodeHasher>;

  async create(p: Principal, dto: CreateBookingDto): Promise<BookingView> {
    if (p.role !== 'official' || !p.institutionId) throw new ForbiddenException('bookings are made by officials of an institution');
    const country = p.country ?? this.config.HOME_COUNTRY;
    if (!country) throw badField('country', 'your account has no country and the deployment has no HOME_COUNTRY: a roster cannot be chosen');
    if (!(await this.languages.findById(dto.languageId))) throw badField('languageId', 'languageId is not in the catalogue');
    const timeZone = dto.timeZone ?? COUNTRY_TIME_ZONES[country] ?? 'UTC';
    const start = parseStart(dto.startsAt, timeZone);
    if (!start.ok) throw badField('startsAt', start.message);
    const now = Date.now();
    if (start.at.getTime() <= now) throw badField('startsAt', 'startsAt must be in the future');
    if (start.at.getTime() > now + MAX_AHEAD_DAYS * 86_400_000) throw badField('startsAt', `startsAt must be within ${MAX_AHEAD_DAYS} days`);
    const endsAt = new Date(start.at.getTime() + dto.durationMinutes * 60_000);

    let preferred: string | null = null;
    if (dto.followUpOf) {
      const earlier = await this.load(dto.followUpOf);
      if (!earlier || earlier.institution_id !== p.institutionId) throw new NotFoundException('followUpOf: no such booking in your institution');
      preferred = earlier.interpreter_id;
    }
    const id = await this.db.transaction(async (m) => {
      const [row] = await m.query(
        `INSERT INTO bookings (institution_id, official_id, country, language_id, matter, minor, prefer_female, starts_at, ends_at,
           duration_minutes, time_zone, case_reference, remote_participant, follow_up_of, preferred_interpreter_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING id`,
        [
          p.institutionId,
          p.sub,
          country,
          dto.languageId,
          dto.matter,
          dto.minor ?? false,
          dto.preferFemale ?? false,
          start.at,
          endsAt,
          dto.durationMinutes,
          timeZone,
          dto.caseReference ?? null,
          dto.remoteParticipant ?? false,
          dto.followUpOf ?? null,
          preferred,
        ],
      );
      await this.audit.record(
        'booking.created',
        {
          actorId: p.sub,
          actorRole: 'official',
          country,
          subjectId: row.id,
          data: { languageId: dto.languageId, matter: dto.matter, durationMinutes: dto.durationMinutes, followUp: !!dto.followUpOf, remote: !!dto.remoteParticipant },
        },
        m,
      );
      return row.id as string;
    });
    const booking = (await this.load(id))!;
    await this.jobs.scheduleBooking(booking);
    await this.notifier.tell(booking, {}, { official: true });
    await this.assignment.assignNext(id);
    return this.get(p, id);
  }

  async list(p: Principal, q: ListBookingsQuery): Promise<BookingView[]> {
    const scope = this.scope(p);
    const found: BookingRow[] = await this.db.query(
      `${BOOKING_SELECT}
       WHERE ${scope.sql}
         AND ($2::timestamptz IS NULL OR b.starts_at >= $2) AND ($3::timestamptz IS NULL OR b.starts_at < $3)
         AND ($4::text IS NULL OR b.state = $4)
       ORDER BY b.starts_at LIMIT 500`,
      [scope.value, this.instant(q.from, 'from'), this.instant(q.to, 'to'), q.state ?? null],
    );
    return Promise.all(found.map((b) => this.view(p, b)));
  }

  async get(p: Principal, id: string): Promise<BookingView> {
    return this.view(p, await this.visible(p, id));
  }

  /** The interpreter asked to confirm says yes. */
  async confirm(p: Principal, id: string): Promise<BookingView> {
    const interpreterId = this.interpreterOf(p);
    const offerId = await withRetry(() =>
      this.db.transaction(async (m) => {
        const b = await this.assignment.lock(m, id);
        if (!b || b.interpreter_id !== interpreterId) throw new NotFoundException('no such booking');
        if (b.state !== 'assigned') throw new ConflictException(`the booking is ${b.state}`);
        const [offer] = await rows(m, `UPDATE booking_offers SET outcome = 'confirmed', decided_at = now()
           WHERE booking_id = $1 AND interpreter_id = $2 AND outcome IS NULL AND expires_at > now() RETURNING id`, [id, interpreterId]);
        if (!offer) throw new ConflictException('the time to confirm this booking has passed');
        await rows(m, `UPDATE bookings SET state = 'confirmed', sequence = sequence + 1, updated_at = now() WHERE id = $1`, [id]);
        await this.audit.record('booking.confirmed', { actorId: interpreterId, actorRole: 'interpreter', country: b.country, subjectId: id, data: { offerId: offer.id } }, m);
        return offer.id as string;
      }),
    );
    await this.jobs.drop([`booking-offer-expire:${offerId}`]);
    const b = (await this.load(id))!;
    await this.notifier.tell(b, {}, { official: true, interpreterId });
    return this.view(p, b);
  }

  /** The interpreter says no: while asked, or later, when she can no longer come. The next candidate is asked. */
  async decline(p: Principal, id: string): Promise<{ bookingId: string; state: string }> {
    const interpreterId = this.interpreterOf(p);
    const done = await withRetry(() =>
      this.db.transaction(async (m) => {
        const b = await this.assignment.lock(m, id);
        if (!b || b.interpreter_id !== interpreterId) throw new NotFoundException('no such booking');
        if (b.state !== 'assigned' && b.state !== 'confirmed') throw new ConflictException(`the booking is ${b.state}`);
        if (b.starts_at.getTime() <= Date.now()) throw new ConflictException('the hearing has started');
        const offers = await rows(m, `UPDATE booking_offers SET outcome = 'declined', decided_at = now() WHERE booking_id = $1 AND outcome IS NULL RETURNING id`, [id]);
        await this.assignment.release(m, id, interpreterId, b.state === 'confirmed');
        await this.audit.record('booking.declined', { actorId: interpreterId, actorRole: 'interpreter', country: b.country, subjectId: id, data: { after: b.state } }, m);
        return { was: b.state, offerIds: offers.map((o) => o.id as string) };
      }),
    );
    await this.jobs.drop(done.offerIds.map((o) => `booking-offer-expire:${o}`));
    const b = (await this.load(id))!;
    await this.notifier.tell(b, { notice: done.was === 'confirmed' ? 'declined' : undefined }, { official: true, interpreterId });
    await this.assignment.assignNext(id);
    // No longer hers: she learns only that she is released.
    return { bookingId: id, state: 'declined' };
  }

  /** The official cancels: pending answers are withdrawn, reminders removed, a live call ended. */
  async cancel(p: Principal, id: string): Promise<BookingView> {
    this.officialOf(p);
    await this.visible(p, id);
    const done = await this.end(id, 'cancelled', 'cancelled', p);
    if (!done) throw new ConflictException(`the booking is ${(await this.load(id))?.state}`);
    return this.get(p, id);
  }

  /**
   * Ends an open booking (cancelled by the official, or past its time: completed, or cancelled `unfilled`):
   * withdraws a pending answer, ends its call, forgets its join code, drops its timers and tells both.
   */
  async end(id: string, state: 'completed' | 'cancelled', reason: string, actor: Principal | null): Promise<boolean> {
    const done = await withRetry(() =>
      this.db.transaction(async (m) => {
        const b = await this.assignment.lock(m, id);
        if (!b || !OPEN.includes(b.state)) return null;
        const offers = await rows(m, `UPDATE booking_offers SET outcome = 'withdrawn', decided_at = now() WHERE booking_id = $1 AND outcome IS NULL RETURNING id`, [id]);
        await rows(m, `UPDATE bookings SET state = $2, end_reason = $3, sequence = sequence + 1, updated_at = now() WHERE id = $1`, [id, state, reason]);
        await rows(m, `DELETE FROM booking_join_codes WHERE booking_id = $1`, [id]);
        // Ending the session tells everyone in it (the remote woman too), on every node, once this commits.
        const [live] = await m.query(`SELECT id FROM sessions WHERE booking_id = $1 AND ended_at IS NULL`, [id]);
        if (live) await this.sessions.end(m, live.id, reason);
        await this.audit.record(`booking.${state}`, { actorId: actor?.sub ?? null, actorRole: actor?.role ?? 'system', country: b.country, subjectId: id, data: { reason, from: b.state } }, m);
        return { b, offerIds: offers.map((o) => o.id as string) };
      }),
    );
    if (!done) return false;
    await this.jobs.dropBooking(id, done.offerIds);
    const b = (await this.load(id))!;
    await this.notifier.tell(b, {}, { official: true, interpreterId: done.b.interpreter_id });
    return true;
  }

  async calendar(p: Principal, id: string): Promise<string> {
    return this.notifier.calendar(await this.visible(p, id), p.role === 'interpreter' ? 'interpreter' : 'official');
  }

  /**
   * The hearing's call, for the official or the interpreter, from BOOKING_JOIN_BEFORE_SECONDS before the start
   * until the overrun after its end. The session id then goes to `session:join`.
   */
  async join(p: Principal, id: string): Promise<{ sessionId: string }> {
    const b = await this.visible(p, id);
    const vacant = await this.sessions.vacantSeats(id);
    const sessionId = await this.db.transaction(async (m) => {
      const locked = (await this.assignment.lock(m, id))!;
      this.assertOpenForCall(locked);
      return this.sessions.openForBooking(m, id, locked.interpreter_id!, p.role === 'official' ? p.sub : null, vacant);
    });
    await this.audit.record('booking.joined', { actorId: p.sub, actorRole: p.role, country: b.country, subjectId: id, data: { sessionId } });
    return { sessionId };
  }

  /**
   * A one-time code for the woman to join the hearing remotely (shown once; only its keyed hash is stored). A new
   * code replaces the previous one. It expires with the hearing's call.
   */
  async issueJoinCode(p: Principal, id: string): Promise<{ code: string; expiresAt: string; joinPath: string }> {
    this.officialOf(p);
    const b = await this.visible(p, id);
    if (!b.remote_participant) throw new ConflictException('this booking is not for remote participation (remoteParticipant)');
    if (!OPEN.includes(b.state)) throw new ConflictException(`the booking is ${b.state}`);
    const expiresAt = new Date(b.ends_at.getTime() + this.config.BOOKING_OVERRUN_MINUTES * 60_000);
    const digits = await this.db.transaction(async (m) => {
      const stored = await storeJoinCode(m, this.codes.hash, id, expiresAt);
      await this.audit.record('booking.join_code_issued', { actorId: p.sub, actorRole: 'official', country: b.country, subjectId: id }, m);
      return stored;
    });
    return { code: `${digits.slice(0, 4)}-${digits.slice(4, 8)}-${digits.slice(8)}`, expiresAt: expiresAt.toISOString(), joinPath: `/?join=${digits}` };
  }

  /**
   * The woman's code: once, while the hearing's call is open. She gets an anonymous caller token (a random
   * subject, stored only on the live session) and the session to join. A code that is wrong, used, expired or
   * not open yet is one answer (404, one body), so that nothing tells a guesser she is close or early. A wrong
   * code spends the failure budget of the booking its first four digits name; at JOIN_CODE_MAX_FAILURES within
   * an hour that booking's code is void and the official told. Every refusal is audited, never with the code.
   */
  async redeemJoinCode(code: string): Promise<{ accessToken: string; sessionId: string }> {
    const digits = code.replace(/[\s-]/g, '');
    if (!/^\d{10}$/.test(digits)) throw badField('code', 'code must be the 10 digits the official gave');
    const sub = randomUUID();
    // Who may be replaced in the call is asked of every node before any row is locked (see vacantSeats).
    const [known] = await this.db.query(`SELECT booking_id FROM booking_join_codes WHERE code_hash = $1`, [this.codes.hash(digits)]);
    const vacant = known ? await this.sessions.vacantSeats(known.booking_id) : undefined;
    const outcome = await withRetry(() =>
      this.db.transaction(async (m) => {
        const [c] = await m.query(
          `SELECT booking_id, used_at IS NOT NULL AS used, expires_at <= now() AS expired FROM booking_join_codes
            WHERE code_hash = $1 FOR UPDATE`,
          [this.codes.hash(digits)],
        );
        if (!c) return this.refuse(m, 'wrong', await countFailure(m, digits, this.config.JOIN_CODE_MAX_FAILURES));
        const b = (await this.assignment.lock(m, c.booking_id))!;
        if (c.used || c.expired) return this.refuse(m, c.used ? 'used' : 'expired', { bookingId: b.id, voided: false }, b.country);
        if (!this.callOpen(b)) return this.refuse(m, 'not_open', { bookingId: b.id, voided: false }, b.country);
        const id = await this.sessions.openForBooking(m, b.id, b.interpreter_id!, null);
        await this.sessions.setCaller(m, id, sub, vacant);
        await rows(m, `UPDATE booking_join_codes SET used_at = now() WHERE booking_id = $1`, [b.id]);
        await this.audit.record('booking.join_code_used', { actorRole: 'caller', country: b.country, subjectId: b.id, data: { sessionId: id } }, m);
        return { sessionId: id };
      }),
    );
    if ('refused' in outcome) {
      if (outcome.voided) await this.notifier.tell((await this.load(outcome.voided))!, { notice: 'join_code_voided' }, { official: true });
      throw codeRefused();
    }
    return { ...(await this.auth.callerToken(sub)), sessionId: outcome.sessionId };
  }

  /** Audits a refused code (its reason and booking when known, never the code) inside the redeeming transaction. */
  private async refuse(m: EntityManager, reason: RefusalReason, hit: { bookingId: string; voided: boolean } | null, country?: string) {
    const bookingId = hit?.bookingId ?? null;
    if (bookingId && !country) country = (await this.assignment.lock(m, bookingId))?.country;
    await this.audit.record('booking.join_code_refused', { actorRole: 'caller', country: country ?? null, subjectId: bookingId, data: { reason } }, m);
    if (hit?.voided) await this.audit.record('booking.join_code_voided', { actorRole: 'system', country: country ?? null, subjectId: bookingId, data: { max: this.config.JOIN_CODE_MAX_FAILURES } }, m);
    return { refused: true as const, voided: hit?.voided ? bookingId : null };
  }

  /**
   * `session:leave` on a hearing's call: the official leaving ends the hearing for everyone (it is hers to
   * close); anyone else leaving is told to the others, and she may come back while it is open.
   */
  async sessionLeft(p: Principal, sessionId: string): Promise<Record<string, never>> {
    const bookingId = await this.sessions.bookingOf(sessionId);
    const s = bookingId ? await this.sessions.find(sessionId) : null;
    const role = s && !s.endedAt ? roleIn(s, p) : null;
    if (!bookingId || !s || !role) throw new NotFoundException('no such session');
    this.sessions.tellLeft(s, role);
    if (role === 'official') await this.end(bookingId, 'completed', 'completed', p);
    return {};
  }

  /** Whether a session is a hearing's (session:leave is routed here for those). */
  async isHearingSession(sessionId: string): Promise<boolean> {
    return !!(await this.sessions.bookingOf(sessionId));
  }

  // ---- helpers ------------------------------------------------------------------------------------------

  /** When the hearing's call may be joined. */
  private callWindow(b: BookingRow): { opensAt: Date; closesAt: Date } {
    return {
      opensAt: new Date(b.starts_at.getTime() - this.config.BOOKING_JOIN_BEFORE_SECONDS * 1000),
      closesAt: new Date(b.ends_at.getTime() + this.config.BOOKING_OVERRUN_MINUTES * 60_000),
    };
  }

  private callOpen(b: BookingRow): boolean {
    const { opensAt, closesAt } = this.callWindow(b);
    return b.state === 'confirmed' && Date.now() >= opensAt.getTime() && Date.now() <= closesAt.getTime();
  }

  private assertOpenForCall(b: BookingRow) {
    if (b.state !== 'confirmed') throw new ConflictException(`the hearing has no confirmed interpreter (the booking is ${b.state})`);
    const { opensAt, closesAt } = this.callWindow(b);
    if (Date.now() < opensAt.getTime()) throw new ConflictException(`the hearing's call opens at ${opensAt.toISOString()}`);
    if (Date.now() > closesAt.getTime()) throw new ConflictException("the hearing's call has closed");
  }

  /** Officials see their institution's bookings; interpreters the ones they hold or held. */
  private scope(p: Principal): { sql: string; value: string } {
    if (p.role === 'official' && p.institutionId) return { sql: 'b.institution_id = $1', value: p.institutionId };
    if (p.role === 'interpreter' && p.interpreterId) return { sql: 'b.interpreter_id = $1', value: p.interpreterId };
    throw new ForbiddenException('bookings are for officials and interpreters');
  }

  private async visible(p: Principal, id: string): Promise<BookingRow> {
    const b = await this.load(id);
    const scope = this.scope(p);
    const mine = b && (p.role === 'official' ? b.institution_id === scope.value : b.interpreter_id === scope.value);
    if (!b || !mine) throw new NotFoundException('no such booking');
    return b;
  }

  private async view(p: Principal, b: BookingRow): Promise<BookingView> {
    const who = b.interpreter_id ? await this.rosters.findInterpreter(b.interpreter_id) : null;
    const [offer] = b.state === 'assigned' ? await this.db.query(`SELECT expires_at FROM booking_offers WHERE booking_id = $1 AND outcome IS NULL`, [b.id]) : [];
    return bookingView(b, p, who?.firstName ?? null, offer?.expires_at ?? null, this.callWindow(b));
  }

  private interpreterOf(p: Principal): string {
    if (p.role !== 'interpreter' || !p.interpreterId) throw new ForbiddenException('only the interpreter asked can answer');
    return p.interpreterId;
  }

  private officialOf(p: Principal) {
    if (p.role !== 'official' || !p.institutionId) throw new ForbiddenException('only officials can do this');
  }

  private instant(value: string | undefined, field: string): Date | null {
    if (!value) return null;
    const parsed = parseStart(value, 'UTC');
    if (!parsed.ok) throw badField(field, parsed.message.replace(/^startsAt/, field));
    return parsed.at;
  }

  private load(id: string): Promise<BookingRow | null> {
    return this.assignment.load(id);
  }

}
