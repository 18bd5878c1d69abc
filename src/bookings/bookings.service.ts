import { ConflictException, ForbiddenException, Injectable, NotFoundException, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { AuditOutbox } from '../audit/audit-outbox';
import { AuthService } from '../auth/auth.service';
import type { Principal } from '../auth/principal';
import { AppConfig } from '../config/config.schema';
import { EventBus } from '../events/event-bus';
import { LanguagesService } from '../languages/languages.service';
import { withRetry } from '../database/retry';
import { RostersService } from '../rosters/rosters.service';
import { SessionsService, type ParticipantRole, type SessionInterpreter, type SessionParticipants } from '../sessions/sessions.service';
import { BookingAssignmentService } from './booking-assignment.service';
import { BookingJobs } from './booking-jobs';
import { BookingNotifier } from './booking-notifier';
import { bookingView, seatLanguages, type BookingRow, type BookingView } from './booking-row';
import { BookingsRepository, type BookingScope, type LockedJoinCode } from './bookings.repository';
import { COUNTRY_TIME_ZONES, OPEN } from './booking-state';
import { parseStart } from './booking-time';
import { codeRefused, countFailure, joinCodeHasher, type RefusalReason, shownCode, storeJoinCode } from '../sessions/join-codes';
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
export class BookingsService implements OnModuleInit {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly repo: BookingsRepository,
    private readonly config: AppConfig,
    private readonly audit: AuditOutbox,
    private readonly auth: AuthService,
    private readonly languages: LanguagesService,
    private readonly rosters: RostersService,
    private readonly sessions: SessionsService,
    private readonly assignment: BookingAssignmentService,
    private readonly jobs: BookingJobs,
    private readonly notifier: BookingNotifier,
    private readonly bus: EventBus,
  ) {
    this.codes = joinCodeHasher(config.JWT_SECRET);
  }

  private readonly codes: ReturnType<typeof joinCodeHasher>;

  onModuleInit() {
    this.sessions.onLeave('booking', (p, s, role) => this.sessionLeft(p, s, role));
    this.bus.on('interpreter.suspended', (id) => this.releaseUpcoming(id, { uncertified: false }));
    this.bus.on('interpreter.certification_changed', (id) => this.releaseUpcoming(id, { uncertified: true }));
  }

  async create(p: Principal, dto: CreateBookingDto): Promise<BookingView> {
    if (p.role !== 'official' || !p.institutionId) throw new ForbiddenException('bookings are made by officials of an institution');
    const country = p.country ?? this.config.HOME_COUNTRY;
    if (!country)
      throw badField('country', 'your account has no country and the deployment has no HOME_COUNTRY: a roster cannot be chosen');
    if (!(await this.languages.findById(dto.languageId))) throw badField('languageId', 'languageId is not in the catalogue');
    if (dto.targetLanguageId && !(await this.languages.findById(dto.targetLanguageId)))
      throw badField('targetLanguageId', 'targetLanguageId is not in the catalogue');
    const timeZone = dto.timeZone ?? COUNTRY_TIME_ZONES[country] ?? 'UTC';
    const start = parseStart(dto.startsAt, timeZone);
    if (!start.ok) throw badField('startsAt', start.message);
    const now = Date.now();
    if (start.at.getTime() <= now) throw badField('startsAt', 'startsAt must be in the future');
    if (start.at.getTime() > now + MAX_AHEAD_DAYS * 86_400_000)
      throw badField('startsAt', `startsAt must be within ${MAX_AHEAD_DAYS} days`);
    const endsAt = new Date(start.at.getTime() + dto.durationMinutes * 60_000);

    let preferred: string | null = null;
    if (dto.followUpOf) {
      const earlier = await this.load(dto.followUpOf);
      if (!earlier || earlier.institution_id !== p.institutionId)
        throw new NotFoundException('followUpOf: no such booking in your institution');
      preferred = earlier.interpreter_id;
    }
    const id = await this.db.transaction(async (m) => {
      const created = await this.repo.insert(m, {
        institutionId: p.institutionId!,
        officialId: p.sub,
        country,
        languageId: dto.languageId,
        targetLanguageId: dto.targetLanguageId ?? null,
        matter: dto.matter,
        minor: dto.minor ?? false,
        preferFemale: dto.preferFemale ?? false,
        startsAt: start.at,
        endsAt,
        durationMinutes: dto.durationMinutes,
        timeZone,
        caseReference: dto.caseReference ?? null,
        remoteParticipant: dto.remoteParticipant ?? false,
        followUpOf: dto.followUpOf ?? null,
        preferredInterpreterId: preferred,
      });
      await this.audit.add(m, 'booking.created', {
        actorId: p.sub,
        actorRole: 'official',
        country,
        subjectId: created.id,
        data: {
          languageId: dto.languageId,
          targetLanguageId: created.targetLanguageId,
          matter: dto.matter,
          durationMinutes: dto.durationMinutes,
          followUp: !!dto.followUpOf,
          remote: !!dto.remoteParticipant,
        },
      });
      return created.id;
    });
    await this.audit.chained();
    const booking = (await this.load(id))!;
    await this.jobs.scheduleBooking(booking);
    await this.notifier.tell(booking, {}, { official: true });
    await this.assignment.assignNext(id);
    return this.get(p, id);
  }

  async list(p: Principal, q: ListBookingsQuery): Promise<BookingView[]> {
    const found = await this.repo.list(this.scope(p), {
      from: this.instant(q.from, 'from'),
      to: this.instant(q.to, 'to'),
      state: q.state ?? null,
    });
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
        const b = await this.repo.lock(m, id);
        if (!b || !b.interpreter_ids.includes(interpreterId)) throw new NotFoundException('no such booking');
        if (!OPEN.includes(b.state)) throw new ConflictException(`the booking is ${b.state}`);
        const offer = await this.repo.confirmOffer(m, id, interpreterId);
        if (!offer) throw new ConflictException('the time to confirm this booking has passed');
        // Her seat is confirmed; the booking is once every seat is (a relay chain's or a team's others may be asked next).
        await this.repo.confirmSeat(m, id, interpreterId);
        await this.audit.add(m, 'booking.confirmed', {
          actorId: interpreterId,
          actorRole: 'interpreter',
          country: b.country,
          subjectId: id,
          data: { offerId: offer },
        });
        return offer;
      }),
    );
    await this.audit.chained();
    await this.jobs.drop([`booking-offer-expire:${offerId}`]);
    const b = (await this.load(id))!;
    await this.notifier.tell(b, {}, { official: true, interpreterId, seatConfirmed: true });
    // The others seated in it see the booking's new state live (their own emails came with their own answers).
    await this.notifier.tellSeated(b, {}, { except: interpreterId, email: false });
    // The next empty seat, if any: its interpreter is asked now.
    if (b.state === 'requested') await this.assignment.assignNext(id);
    return this.view(p, (await this.load(id))!);
  }

  /** The interpreter says no: while asked, or later, when she can no longer come. The next candidate is asked. */
  async decline(p: Principal, id: string): Promise<{ bookingId: string; state: string }> {
    const interpreterId = this.interpreterOf(p);
    await this.releaseInterpreter(id, interpreterId, { actorId: interpreterId, actorRole: 'interpreter' }, 'refuse');
    // No longer hers: she learns only that she is released.
    return { bookingId: id, state: 'declined' };
  }

  /**
   * She was suspended (every hearing she was asked for or had confirmed, not yet started), or a roster file changed
   * her certification (those of them it no longer covers: `uncertified`): each is released as if she could no
   * longer come (the official is told and the next candidate asked). A hearing in progress goes on.
   */
  private async releaseUpcoming(interpreterId: string, which: { uncertified: boolean }) {
    for (const id of await this.repo.upcomingOf(interpreterId, which))
      await this.releaseInterpreter(id, interpreterId, { actorId: null, actorRole: 'system' }, 'skip');
  }

  /**
   * Releases the booking's interpreter (her pending answer closed, the booking back to `requested`), audited as
   * `booking.declined`, then tells the official (if she had confirmed) and asks the next candidate. A booking that
   * is not hers to leave (not hers, not asked or confirmed, or started) is refused, or skipped.
   */
  private async releaseInterpreter(
    id: string,
    interpreterId: string,
    actor: { actorId: string | null; actorRole: string },
    otherwise: 'refuse' | 'skip',
  ): Promise<void> {
    const done = await withRetry(() =>
      this.db.transaction(async (m) => {
        const b = await this.repo.lock(m, id);
        const refusal = releaseRefusal(b, interpreterId);
        if (refusal && otherwise === 'refuse') throw refusal;
        if (refusal || !b) return null;
        const seat = (await this.repo.seats(m, id)).find((s) => s.interpreter_id === interpreterId)!;
        const offerIds = await this.repo.closeOffers(m, id, 'declined', interpreterId);
        await this.repo.release(m, id, interpreterId);
        // Already in the hearing's open call (it opens before the start): she leaves it.
        const unseated = await this.sessions.unseat(m, id, interpreterId);
        await this.audit.add(m, 'booking.declined', {
          ...actor,
          country: b.country,
          subjectId: id,
          data: { after: seat.state, leg: seat.leg, team: seat.team },
        });
        return { was: seat.state, offerIds, unseated };
      }),
    );
    if (!done) return;
    await this.audit.chained();
    await this.jobs.drop(done.offerIds.map((o) => `booking-offer-expire:${o}`));
    if (done.unseated) this.sessions.unseated(done.unseated);
    const b = (await this.load(id))!;
    await this.notifier.tell(b, { notice: done.was === 'confirmed' ? 'declined' : undefined }, { official: true, interpreterId });
    await this.notifier.tellSeated(b, {}, { email: false });
    await this.assignment.assignNext(id);
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
        const b = await this.repo.lock(m, id);
        if (!b || !OPEN.includes(b.state)) return null;
        const offerIds = await this.repo.closeOffers(m, id, 'withdrawn');
        await this.repo.setState(m, id, state, reason);
        await this.repo.releaseHolds(m, id);
        await this.repo.forgetCode(m, { bookingId: id });
        // Ending the session tells everyone in it (the remote woman too), on every node, once this commits.
        await this.sessions.endLiveOfBooking(m, id, reason);
        await this.audit.add(m, `booking.${state}`, {
          actorId: actor?.sub ?? null,
          actorRole: actor?.role ?? 'system',
          country: b.country,
          subjectId: id,
          data: { reason, from: b.state },
        });
        return { offerIds };
      }),
    );
    if (!done) return false;
    await this.audit.chained();
    await this.jobs.dropBooking(id, done.offerIds);
    const b = (await this.load(id))!;
    await this.notifier.tell(b, {}, { official: true });
    // Its seats still name who held them (only their holds went).
    await this.notifier.tellSeated(b, {});
    return true;
  }

  /** The hearing's .ics; an interpreter's is confirmed once her own seat is, whatever the others'. */
  async calendar(p: Principal, id: string): Promise<string> {
    const b = await this.visible(p, id);
    if (p.role !== 'interpreter') return this.notifier.calendar(b, 'official');
    const mine = (await this.repo.seats(this.db.manager, id)).find((s) => s.interpreter_id === p.interpreterId);
    return this.notifier.calendar(b, 'interpreter', mine?.state === 'confirmed');
  }

  /**
   * The hearing's call, for the official or the interpreter, from BOOKING_JOIN_BEFORE_SECONDS before the start
   * until the overrun after its end. The session id then goes to `session:join`.
   */
  async join(p: Principal, id: string): Promise<{ sessionId: string }> {
    const b = await this.visible(p, id);
    const vacant = await this.sessions.vacantSeats(id);
    const sessionId = await this.db.transaction(async (m) => {
      const locked = (await this.repo.lock(m, id))!;
      this.assertOpenForCall(locked);
      return this.sessions.openForBooking(
        m,
        id,
        await this.callInterpreters(m, id),
        p.role === 'official' ? p.sub : null,
        vacant,
        p.role === 'interpreter' ? (p.interpreterId ?? null) : null,
      );
    });
    await this.audit.record('booking.joined', {
      actorId: p.sub,
      actorRole: p.role,
      country: b.country,
      subjectId: id,
      data: { sessionId },
    });
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
      const stored = await storeJoinCode(m, this.codes.hash, { bookingId: id }, expiresAt);
      await this.audit.add(m, 'booking.join_code_issued', { actorId: p.sub, actorRole: 'official', country: b.country, subjectId: id });
      return stored;
    });
    await this.audit.chained();
    return shownCode(digits, expiresAt);
  }

  /**
   * The woman's code: once, while the call it opens is on (a hearing's call window, or an official's "interpreter
   * now" call). She gets an anonymous caller token (a random subject, stored only on the live session) and the
   * session to join. A code that is wrong, used, expired or not open yet is one answer (404, one body), so that
   * nothing tells a guesser she is close or early. A wrong code spends the failure budget of the call its first four
   * digits name; at JOIN_CODE_MAX_FAILURES within an hour that code is void (for a hearing, the official is told).
   * Every refusal is audited, never with the code.
   */
  async redeemJoinCode(code: string): Promise<{ accessToken: string; sessionId: string; call: 'hearing' | 'interpreter_now' }> {
    const digits = code.replace(/[\s-]/g, '');
    if (!/^\d{10}$/.test(digits)) throw badField('code', 'code must be the 10 digits the official gave');
    const sub = randomUUID();
    // Who may be replaced in the call is asked of every node before any row is locked (see vacantSeats).
    const hash = this.codes.hash(digits);
    const known = await this.repo.callOfCode(hash);
    const vacant = known?.booking_id ? await this.sessions.vacantSeats(known.booking_id) : undefined;
    const vacantCaller = known?.request_id ? await this.sessions.vacantCallerOfRequest(known.request_id) : null;
    const outcome = await withRetry(() =>
      this.db.transaction(async (m) => {
        const c = await this.repo.lockCode(m, hash);
        if (!c) return this.refuse(m, 'wrong', await countFailure(m, digits, this.config.JOIN_CODE_MAX_FAILURES));
        if (c.request_id) return this.redeemForRequest(m, c.request_id, c, sub, vacantCaller);
        const b = (await this.repo.lock(m, c.booking_id!))!;
        const hit = { bookingId: b.id, requestId: null, voided: false };
        if (c.used || c.expired) return this.refuse(m, c.used ? 'used' : 'expired', hit, b.country);
        if (!this.callOpen(b)) return this.refuse(m, 'not_open', hit, b.country);
        const id = await this.sessions.openForBooking(m, b.id, await this.callInterpreters(m, b.id), null);
        await this.sessions.setCaller(m, id, sub, vacant);
        await this.repo.markCodeUsed(m, { bookingId: b.id });
        await this.audit.add(m, 'booking.join_code_used', {
          actorRole: 'caller',
          country: b.country,
          subjectId: b.id,
          data: { sessionId: id },
        });
        return { sessionId: id, call: 'hearing' as const };
      }),
    );
    await this.audit.chained();
    if ('refused' in outcome) {
      if (outcome.voided) await this.notifier.tell((await this.load(outcome.voided))!, { notice: 'join_code_voided' }, { official: true });
      throw codeRefused();
    }
    return { ...(await this.auth.callerToken(sub)), sessionId: outcome.sessionId, call: outcome.call };
  }

  /** A code for the woman's own phone in an official's call ("interpreter now"): the caller's seat of its live session. */
  private async redeemForRequest(m: EntityManager, requestId: string, c: LockedJoinCode, sub: string, vacant: string | null) {
    const hit = { bookingId: null, requestId, voided: false };
    if (c.used || c.expired) return this.refuse(m, c.used ? 'used' : 'expired', hit);
    const seated = await this.sessions.seatCallerOfRequest(m, requestId, sub, vacant);
    if (!seated) return this.refuse(m, 'not_open', hit);
    await this.repo.markCodeUsed(m, { requestId });
    await this.audit.add(m, 'request.join_code_used', {
      actorRole: 'caller',
      country: seated.country,
      subjectId: requestId,
      data: { sessionId: seated.sessionId },
    });
    return { sessionId: seated.sessionId, call: 'interpreter_now' as const };
  }

  /**
   * Audits a refused code (its reason and its call when known, never the code) inside the redeeming transaction; the
   * booking whose official must be told its code is void, if any.
   */
  private async refuse(
    m: EntityManager,
    reason: RefusalReason,
    hit: { bookingId: string | null; requestId: string | null; voided: boolean } | null,
    country?: string | null,
  ) {
    const bookingId = hit?.bookingId ?? null;
    if (bookingId && !country) country = (await this.repo.lock(m, bookingId))?.country;
    const subject = hit?.requestId ? 'request' : 'booking';
    await this.audit.add(m, `${subject}.join_code_refused`, {
      actorRole: 'caller',
      country: country ?? null,
      subjectId: hit?.requestId ?? bookingId,
      data: { reason },
    });
    if (hit?.voided)
      await this.audit.add(m, `${subject}.join_code_voided`, {
        actorRole: 'system',
        country: country ?? null,
        subjectId: hit.requestId ?? bookingId,
        data: { max: this.config.JOIN_CODE_MAX_FAILURES },
      });
    return { refused: true as const, voided: hit?.voided ? bookingId : null };
  }

  /**
   * `session:leave` on a hearing's call (SessionsService has told the others): the official leaving ends the
   * hearing for everyone (it is hers to close); anyone else may come back while it is open.
   */
  private async sessionLeft(p: Principal, s: SessionParticipants, role: ParticipantRole) {
    if (role === 'official') await this.end(s.bookingId!, 'completed', 'completed', p);
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
  private scope(p: Principal): BookingScope {
    if (p.role === 'official' && p.institutionId) return { by: 'institution', id: p.institutionId };
    if (p.role === 'interpreter' && p.interpreterId) return { by: 'interpreter', id: p.interpreterId };
    throw new ForbiddenException('bookings are for officials and interpreters');
  }

  private async visible(p: Principal, id: string): Promise<BookingRow> {
    const b = await this.load(id);
    const scope = this.scope(p);
    const mine = b && (scope.by === 'institution' ? b.institution_id === scope.id : b.interpreter_ids.includes(scope.id));
    if (!b || !mine) throw new NotFoundException('no such booking');
    return b;
  }

  private async view(p: Principal, b: BookingRow): Promise<BookingView> {
    const seats = await this.repo.seatViews(b.id);
    const lead = seats.find((s) => s.leg !== 'relay' && !s.team);
    const confirmBy = b.state === 'assigned' ? await this.repo.confirmBy(b.id) : null;
    const mine = p.role === 'interpreter' ? seats.find((s) => s.interpreterId === p.interpreterId) : undefined;
    const shown = seats.map(({ interpreterId: _id, ...seat }) => ({ ...seat, ...seatLanguages(b, seat.leg) }));
    return bookingView(b, p, lead?.firstName ?? null, shown, mine ?? null, confirmBy, this.callWindow(b));
  }

  /** A hearing's call seats its confirmed interpreters in their roles: the lead, the relay leg's, the team partner. */
  private async callInterpreters(m: EntityManager, bookingId: string): Promise<SessionInterpreter[]> {
    return (await this.repo.seats(m, bookingId))
      .filter((s) => s.state === 'confirmed')
      .map((s) => ({ id: s.interpreter_id!, role: s.team ? 'team_interpreter' : s.leg === 'relay' ? 'relay_interpreter' : 'interpreter' }));
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
    return this.repo.load(id);
  }
}

/** Why she cannot leave this booking now, or null: it is hers, asked or confirmed, and not started. */
function releaseRefusal(b: BookingRow | null, interpreterId: string): NotFoundException | ConflictException | null {
  if (!b || !b.interpreter_ids.includes(interpreterId)) return new NotFoundException('no such booking');
  if (!OPEN.includes(b.state)) return new ConflictException(`the booking is ${b.state}`);
  if (b.starts_at.getTime() <= Date.now()) return new ConflictException('the hearing has started');
  return null;
}
