import { ConflictException, Injectable, Logger, NotFoundException, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { joinCodeHasher, shownCode, storeJoinCode } from './join-codes';
import { AuditOutbox } from '../audit/audit-outbox';
import type { Principal } from '../auth/principal';
import { AppConfig } from '../config/config.schema';
import { afterCommit } from '../database/after-commit';
import { EventBus } from '../events/event-bus';
import type { SessionEndReason } from '../realtime/realtime.contract';
import { RealtimeService, rooms } from '../realtime/realtime.service';
import { MEDIA_FAILED } from './end-reasons';
import { isEndedNotice } from './ended-notice';
import { AfterCallService } from './after-call.service';
import type { InterpreterRole, ParticipantRole } from '../common/domain';
import { withTimeout } from '../common/with-timeout';
import {
  SessionsRepository,
  type EndedNotice,
  type EndedSession,
  type SessionInterpreter,
  type SessionParticipants,
} from './sessions.repository';

export type { ParticipantRole } from '../common/domain';
export type { EndedNotice, EndedSession, SessionInterpreter, SessionParticipants } from './sessions.repository';

/** Whose rules end a session when a participant leaves: its request's (matching) or its booking's (bookings). */
export type SessionOwner = 'request' | 'booking';
/** What a participant's leaving does to a session beyond telling the others (the session is live). */
export type LeaveHandler = (p: Principal, s: SessionParticipants, role: ParticipantRole) => Promise<void>;

/** The request between nodes that announces an ended session (see `announceEnded`). */
const ENDED_EVENT = 'sessions:ended';
/** How often each node sweeps for ended sessions nobody announced, and how long after its end one is swept. */
const ENDED_SWEEP_MS = 5_000;
const ENDED_SETTLE_SECONDS = 5;
/** Each sweep looks this far back before where the last one stopped (a transaction that committed late). */
const ENDED_SWEEP_OVERLAP_MS = 20_000;
/** Ended sessions this node has told of are remembered this long (so a late or swept notice is not told twice). */
const TOLD_KEEP_MS = 5 * 60_000;
/** Calls a leave on this node ended are remembered this long (for the other side's leave). */
const LEFT_KEEP_MS = 60_000;
/** A leave waits at most this long for the one before it of the same call (which may be stuck on a lock). */
const LEAVE_WAIT_MS = 3_000;

/** How long the code for the woman's own phone in an official's call stays valid. */
const REQUEST_JOIN_CODE_TTL_MS = 60 * 60_000;

/** Holders of a hearing's seats found not in the call (null: nobody may be replaced). */
export interface VacantSeats {
  official: string | null;
  caller: string | null;
}
const NO_SEATS: VacantSeats = { official: null, caller: null };
const seatTaken = (role: 'official' | 'caller') =>
  new ConflictException(`the ${role}'s seat in this hearing is taken by someone who is in the call`);

/**
 * Session records (metadata only), who takes part in them, and how they end: `session:leave` (SessionsGateway)
 * is answered here, and the module that owns the session (matching for a request's, bookings for a hearing's)
 * decides, through the handler it registers with `onLeave`, whether the leaving ends it.
 *
 * A session's end is announced by the node that ended it, once its transaction has committed (`afterCommit`; never if
 * it rolled back), to itself and to every other node through the Redis adapter. So `onEnded` listeners (media closes
 * the session's router, wherever it is hosted) run after the commit, on every node, whichever node ended it; and each
 * node tells the participants connected to it that the session ended. A node that dies between its commit and its
 * announcement leaves the notice unsent: every node sweeps the sessions that ended a few seconds ago and announces to
 * itself those it has not heard of (without the woman whose request ended: her token subject is forgotten with it).
 */
@Injectable()
export class SessionsService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('Sessions');
  private readonly leaveHandlers = new Map<SessionOwner, LeaveHandler>();
  /** The ended sessions this node has told of, and the women it told. */
  private readonly told = new Map<string, { at: number; callerSubs: string[] }>();
  /** Leaves this node is answering, by session (both sides often hang up at once: the second waits for the first). */
  private readonly leaving = new Map<string, Promise<unknown>>();
  /** On-demand calls a leave on this node ended, as that leave read them: the other side's leave needs no lookup. */
  private readonly leftEnded = new Map<string, { at: number; s: SessionParticipants }>();
  private sweeper?: NodeJS.Timeout;
  private sweptTo: Date | null = null;
  private sweeping = false;

  constructor(
    private readonly repo: SessionsRepository,
    private readonly outbox: AuditOutbox,
    private readonly realtime: RealtimeService,
    private readonly config: AppConfig,
    private readonly bus: EventBus,
    @InjectDataSource() private readonly db: DataSource,
    private readonly afterCall: AfterCallService,
  ) {
    this.codes = joinCodeHasher(config.JWT_SECRET);
    // Another node's payload: checked as any input from outside the process.
    this.realtime.onNodeRequest<unknown>(ENDED_EVENT, (n) => {
      // One held back longer than this node remembers what it told (a Redis outage) would be told again: it is old news.
      if (isEndedNotice(n) && Date.now() - Date.parse(n.endedAt) < TOLD_KEEP_MS - 60_000) this.ended(n);
    });
  }

  private readonly codes: ReturnType<typeof joinCodeHasher>;

  onModuleInit() {
    // The first sweep only marks where the next begins; start-up does not wait for it.
    void this.sweep();
    this.sweeper = setInterval(() => void this.sweep(), ENDED_SWEEP_MS).unref();
  }

  onModuleDestroy() {
    clearInterval(this.sweeper);
  }

  /** A session's end has committed (here): every node, this one first, tells its participants and listeners. */
  announceEnded(n: EndedNotice) {
    // The others first: a listener of this node that throws must not keep them from hearing it.
    this.realtime.tellNodes(ENDED_EVENT, n);
    try {
      this.ended(n);
    } catch (e) {
      this.logger.error({ err: (e as Error).name }, 'telling of an ended session failed on this node');
    }
  }

  /** Announces to this node the sessions that ended a few seconds ago that nobody announced (their node died). */
  private async sweep() {
    if (this.sweeping) return;
    this.sweeping = true;
    try {
      const after = this.sweptTo && new Date(this.sweptTo.getTime() - ENDED_SWEEP_OVERLAP_MS);
      const { upTo, ids } = await this.repo.endedBetween(after, ENDED_SETTLE_SECONDS);
      const unheard = ids.filter((id) => !this.told.has(id));
      if (unheard.length) for (const n of await this.repo.endedNotices(unheard)) this.ended(n);
      this.sweptTo = upTo;
    } catch (e) {
      // The database is away: the next sweep covers this one's window too.
      this.logger.warn({ err: (e as Error).name }, 'could not sweep for ended sessions');
    } finally {
      this.sweeping = false;
      const now = Date.now();
      for (const [id, t] of this.told) if (t.at < now - TOLD_KEEP_MS) this.told.delete(id);
      // A second leave comes within seconds of the first (or finds the ended call by its lookup).
      for (const [id, l] of this.leftEnded) if (l.at < now - LEFT_KEEP_MS) this.leftEnded.delete(id);
    }
  }

  /**
   * A session's end committed (on this node or another): tell its participants here, then the listeners. Once per
   * session; a second notice of it (a swept one, then its node's late one) tells only the women the first did not name.
   */
  private ended(n: EndedNotice) {
    const told = this.told.get(n.sessionId);
    const callerSubs = (n.callerSubs ?? []).filter((sub) => !told?.callerSubs.includes(sub));
    if (told) {
      told.callerSubs.push(...callerSubs);
      this.tell(n, callerSubs.map(rooms.caller));
      return this.openQuestion(n, callerSubs);
    }
    this.told.set(n.sessionId, { at: Date.now(), callerSubs });
    // The call's own room too: it reaches whoever joined its media, even a woman a swept notice cannot name (her token
    // subject was forgotten with her request). One emit to all the rooms: a socket in two of them hears it once.
    this.tell(n, [
      ...(n.interpreterIds ?? [n.interpreterId]).map(rooms.interpreter),
      ...(n.officialId ? [rooms.user(n.officialId)] : []),
      ...callerSubs.map(rooms.caller),
      rooms.session(n.sessionId),
    ]);
    this.openQuestion(n, callerSubs);
    this.bus.emit('session.ended', n.sessionId, n.reason);
    if (n.wrapups?.length) this.bus.emit('wrapup.started', n.wrapups);
  }

  private tell(n: EndedNotice, to: string[]) {
    if (to.length) this.realtime.emitLocal(to, 'session:ended', { sessionId: n.sessionId, reason: n.reason });
  }

  /** The question after a call that took place (not one that never started, nor a technical end: she is back in line). */
  private openQuestion(n: EndedNotice, callerSubs: string[]) {
    if (!callerSubs.length || n.reason !== 'completed') return;
    this.afterCall
      .answerable(n.sessionId, callerSubs)
      .catch((e) => this.logger.warn({ err: (e as Error).name }, 'the question after a call could not be opened'));
  }

  find(id: string): Promise<SessionParticipants | null> {
    return this.repo.find(id);
  }

  /**
   * Media closes a session's router when it ends. Runs after the end committed, on every node (whichever
   * node ended it), once per node.
   */
  onEnded(listener: (sessionId: string, reason?: SessionEndReason) => void) {
    this.bus.on('session.ended', listener);
  }

  /**
   * The role in which this principal takes part in a live session, or null: one of its interpreters (the lead, a relay
   * leg's or a team partner), the caller whose request it serves (by her anonymous token subject), or the official who
   * takes part as the third party (set by a hearing's booking).
   */
  async participantRole(sessionId: string, p: Principal): Promise<ParticipantRole | null> {
    const s = await this.find(sessionId);
    return s && !s.endedAt ? roleIn(s, p) : null;
  }

  /** The owner of a kind of session says what a participant's leaving does (matching and bookings, at start). */
  onLeave(owner: SessionOwner, handler: LeaveHandler) {
    this.leaveHandlers.set(owner, handler);
  }

  /**
   * `session:leave`: the others are told, then the session's owner decides (the caller or the interpreter
   * leaving an on-demand call ends it; the official leaving a hearing ends the hearing). Leaving an on-demand
   * call that has ended is nothing (a second tap); a hearing's ended call is not there any more.
   */
  async leave(p: Principal, sessionId: string): Promise<Record<string, never>> {
    // Each leave of a call on this node after the one before it (chained in this same turn, so none runs beside
    // another), but never held longer than LEAVE_WAIT_MS by one that is stuck.
    const before = this.leaving.get(sessionId);
    const leaving = (async () => {
      if (before) await withTimeout(before, LEAVE_WAIT_MS).catch(() => undefined);
      const ended = this.leftEnded.get(sessionId);
      return ended && roleIn(ended.s, p) ? {} : this.leaveOnce(p, sessionId);
    })();
    this.leaving.set(sessionId, leaving);
    try {
      return await leaving;
    } finally {
      if (this.leaving.get(sessionId) === leaving) this.leaving.delete(sessionId);
    }
  }

  private async leaveOnce(p: Principal, sessionId: string): Promise<Record<string, never>> {
    const s = await this.repo.find(sessionId);
    const role = s && roleIn(s, p);
    if (!s || !role || (s.endedAt && s.bookingId)) throw new NotFoundException('no such session');
    if (s.endedAt) return {};
    this.tellLeft(s, role);
    await this.leaveHandlers.get(s.bookingId ? 'booking' : 'request')?.(p, s, role);
    // Its end was told here (announceEnded runs after the commit, before the handler returns): the call is over.
    if (!s.bookingId && this.told.has(s.id)) this.leftEnded.set(s.id, { at: Date.now(), s });
    return {};
  }

  /** Tells the session's other participants that one of them left (the session may go on). */
  private tellLeft(s: SessionParticipants, role: ParticipantRole) {
    const payload = { sessionId: s.id, role };
    for (const i of s.interpreters) if (i.role !== role) this.realtime.toInterpreter(i.id, 'session:participantLeft', payload);
    if (role !== 'caller' && s.callerSub) this.realtime.toCaller(s.callerSub, 'session:participantLeft', payload);
    if (role !== 'official' && s.officialId) this.realtime.emit(rooms.user(s.officialId), 'session:participantLeft', payload);
  }

  /** Adds a role to the roles that took part in a live session (once, in the order of first joining). */
  markJoined(sessionId: string, role: ParticipantRole): Promise<void> {
    return this.repo.markJoined(sessionId, role);
  }

  /**
   * The session's media started: stamps when, and moves its request to `connected` (see `markConnected`).
   * The media module calls it when the call really starts.
   */
  async markStarted(sessionId: string) {
    await this.repo.markStarted(sessionId);
    await this.markConnected(sessionId);
  }

  /**
   * Media flows between the caller and the interpreter: the request moves from `accepted` to `connected`
   * (once; a request that ended or was handed on meanwhile is left alone) and the caller is told.
   * True if this call made the change.
   */
  async markConnected(sessionId: string): Promise<boolean> {
    const done = await this.repo.markConnected(sessionId);
    if (!done) return false;
    this.outbox.kick();
    if (done.caller_sub) this.realtime.toCaller(done.caller_sub, 'request:update', { requestId: done.id, state: 'connected', sessionId });
    return true;
  }

  /**
   * Ends a live session inside the caller's transaction (idempotent: null when it had already ended), frees
   * the interpreter (her hold on the request's accepted offer goes, and when her last session ended is
   * stamped, for fairness in matching), audits it (unless `audited` is false: matching records the end in
   * the request's own event), and announces the end to every node once the transaction commits (see the
   * class comment). A hearing's remote woman (known by the session itself) is forgotten as it ends. One
   * statement (the function `session_end`, migration 1764600000000).
   */
  end(m: EntityManager, sessionId: string, reason: string, audited = true): Promise<EndedSession | null> {
    return this.endOne(m, { sessionId, requestId: null }, reason, audited);
  }

  /** The same for the live session of a request, if it has one (with the request row locked). */
  endLiveOfRequest(m: EntityManager, requestId: string, reason: string, audited = true): Promise<EndedSession | null> {
    return this.endOne(m, { sessionId: null, requestId }, reason, audited);
  }

  /** The id of a request's live session, if it has one (read in the caller's transaction). */
  liveIdOfRequest(m: EntityManager, requestId: string): Promise<string | null> {
    return this.repo.liveIdOfRequest(m, requestId);
  }

  /** The same for the live session of a hearing, if it has one (with the booking row locked). */
  async endLiveOfBooking(m: EntityManager, bookingId: string, reason: string): Promise<EndedSession | null> {
    const live = await this.repo.liveOfBooking(bookingId, m);
    return live ? this.end(m, live.id, reason) : null;
  }

  private async endOne(m: EntityManager, by: { sessionId: string | null; requestId: string | null }, reason: string, audited: boolean) {
    const ended = await this.repo.end(m, by, reason, audited);
    if (!ended) return null;
    afterCommit(m, () => {
      this.announceEnded(ended.notice);
      if (audited) this.outbox.kick();
    });
    return ended;
  }

  /**
   * She no longer interprets this hearing (she could no longer come, or was suspended): her seat in its live call, if
   * it is open, ends inside the caller's transaction, so she is free and may not join again. After the commit, the
   * caller hands the result to `unseated`.
   */
  async unseat(m: EntityManager, bookingId: string, interpreterId: string) {
    const seat = await this.repo.unseat(m, bookingId, interpreterId);
    return seat && { sessionId: seat.session_id, role: seat.role, interpreterId };
  }

  /** After an unseat committed: her console leaves the call, and the node hosting it drops her media. */
  unseated(u: { sessionId: string; role: InterpreterRole; interpreterId: string }) {
    this.realtime.toInterpreter(u.interpreterId, 'session:ended', { sessionId: u.sessionId, reason: 'cancelled' });
    this.bus.emit('session.unseated', u.sessionId, u.role);
  }

  // ---- the woman's own phone in an official's call ("interpreter now") -----------------------------------

  /**
   * A one-time code for the woman beside the official to join the call from her own phone (shown once; only its
   * keyed hash is kept; a new one replaces the last). Only the official who asked, while her call is on; it expires
   * after JOIN_CODE_TTL_MS, and opens nothing once the call has ended.
   */
  async issueRequestJoinCode(p: Principal, requestId: string): Promise<ReturnType<typeof shownCode>> {
    const expiresAt = new Date(Date.now() + REQUEST_JOIN_CODE_TTL_MS);
    const digits = await this.db.transaction(async (m) => {
      const live = await this.repo.liveOfOfficialRequest(m, requestId);
      if (!live || live.official_id !== p.sub) throw new NotFoundException('no such call of yours: ask for an interpreter first');
      const stored = await storeJoinCode(m, this.codes.hash, { requestId }, expiresAt);
      await this.outbox.add(m, 'request.join_code_issued', {
        actorId: p.sub,
        actorRole: 'official',
        country: live.country,
        subjectId: requestId,
      });
      return stored;
    });
    await this.outbox.chained();
    return shownCode(digits, expiresAt);
  }

  /**
   * The woman's code for an official's call: her phone takes the call's caller seat (the one holding it may be
   * replaced only once she is no longer in the call: `vacant`, read before the transaction). The session and the
   * request's country, or null when the call is not on.
   */
  async seatCallerOfRequest(m: EntityManager, requestId: string, callerSub: string, vacant: string | null) {
    const live = await this.repo.liveOfOfficialRequest(m, requestId);
    if (!live) return null;
    if (live.caller_sub && live.caller_sub !== vacant) throw seatTaken('caller');
    await this.repo.setCaller(m, live.id, callerSub);
    return { sessionId: live.id, country: live.country };
  }

  /** The woman's phone seated in an official's call, if she is no longer in it on any node (else null). */
  async vacantCallerOfRequest(requestId: string): Promise<string | null> {
    const live = await this.repo.liveOfOfficialRequest(this.db.manager, requestId, { lock: false });
    return live ? this.outOfCall(live.id, live.caller_sub) : null;
  }

  // ---- hearings (bookings) ----------------------------------------------------------------------------

  /**
   * The live session of a hearing, created by whoever joins first, with its confirmed interpreters seated (`reseat`:
   * one still in another call is seated when she joins once free; if she is the one joining, she is refused). Once a
   * hearing's call has ended it is not reopened, except after `media_failed`: the media could not be rebuilt, the
   * hearing is not over, and its participants join a new session. Conflict if another official holds the seat and is
   * not among `vacant` (read before the transaction). The caller holds the booking's row lock, so two joiners never
   * both open one.
   */
  async openForBooking(
    m: EntityManager,
    bookingId: string,
    interpreters: SessionInterpreter[],
    officialId: string | null,
    vacant: VacantSeats = NO_SEATS,
    joiningInterpreterId: string | null = null,
  ): Promise<string> {
    const latest = await this.repo.latestOfBooking(m, bookingId);
    if (latest?.ended_at && latest.end_reason !== MEDIA_FAILED) throw new ConflictException("this hearing's call has ended");
    let id: string;
    if (latest && !latest.ended_at) {
      if (officialId && officialId !== latest.official_id) {
        if (latest.official_id && latest.official_id !== vacant.official) throw seatTaken('official');
        await this.repo.setOfficial(m, latest.id, officialId);
      }
      id = latest.id;
    } else {
      id = await this.repo.insertForBooking(m, bookingId, interpreters[0].id, officialId);
    }
    // Whoever holds each seat now (someone replaced after the call opened included); the others are not held up by one
    // still in another call.
    const busy = await this.repo.reseat(m, id, interpreters);
    if (joiningInterpreterId && busy.includes(joiningInterpreterId))
      throw new ConflictException('you are still in another call; end it, then join the hearing again');
    return id;
  }

  /**
   * The remote woman of a hearing: the anonymous subject her join code's token carries. A new code gives her
   * seat to whoever redeems it only when the one holding it is no longer in the call (her phone died): she is
   * `vacant.caller`, read before the transaction.
   */
  async setCaller(m: EntityManager, sessionId: string, callerSub: string, vacant: VacantSeats = NO_SEATS) {
    const holder = await this.repo.lockCallerSeat(m, sessionId);
    if (holder && holder !== vacant.caller) throw seatTaken('caller');
    await this.repo.setCaller(m, sessionId, callerSub);
  }

  /**
   * The seats of a hearing's live session whose holders are not in the call on any node, so may go to someone
   * else (a second device of the same person simply replaces her first: her token's subject is the same). Asked
   * before the transaction that takes a seat, which only checks the holder is still the one found free here:
   * asking every node is a round trip that must not hold the booking's row lock.
   */
  async vacantSeats(bookingId: string): Promise<VacantSeats> {
    const s = await this.repo.liveOfBooking(bookingId);
    if (!s) return NO_SEATS;
    const [official, caller] = await Promise.all([this.outOfCall(s.id, s.official_id), this.outOfCall(s.id, s.caller_sub)]);
    return { official, caller };
  }

  /** The holder of a seat if she is in the call on no node (so her seat may go to someone else), else null. */
  private async outOfCall(sessionId: string, holder: string | null): Promise<string | null> {
    return holder && !(await this.realtime.isIn(rooms.session(sessionId), holder)) ? holder : null;
  }
}

/** The role in which `p` takes part in session `s`, if any. */
export function roleIn(s: Pick<SessionParticipants, 'interpreters' | 'officialId' | 'callerSub'>, p: Principal): ParticipantRole | null {
  if (p.role === 'interpreter') return s.interpreters.find((i) => i.id === p.interpreterId)?.role ?? null;
  if (p.role === 'caller' && !!s.callerSub && p.sub === s.callerSub) return 'caller';
  // A hearing's official, or the official who asked for an on-demand call ("interpreter now").
  if (p.role === 'official' && !!s.officialId && p.sub === s.officialId) return 'official';
  return null;
}
