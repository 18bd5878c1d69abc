import { ConflictException, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Client } from 'pg';
import { DataSource, EntityManager } from 'typeorm';
import type { Principal } from '../auth/principal';
import { AppConfig } from '../config/config.schema';
import { EventBus } from '../events/event-bus';
import { rows } from '../database/sql';
import type { SessionEndReason } from '../realtime/realtime.contract';
import { RealtimeService, rooms } from '../realtime/realtime.service';
import { prepared } from '../database/prepared';
import { PG, pgCode } from '../database/pg-errors';
import { AuditOutbox, outboxInsert } from './audit-outbox';
import { MEDIA_FAILED } from './end-reasons';

export type { ParticipantRole } from '../common/domain';
import type { ParticipantRole } from '../common/domain';

export interface EndedSession {
  id: string;
  requestId: string | null;
  interpreterId: string;
}

/** A session and who takes part in it (the caller by her token subject, while her request is live). */
export interface SessionParticipants {
  id: string;
  requestId: string | null;
  interpreterId: string;
  officialId: string | null;
  callerSub: string | null;
  endedAt: Date | null;
  /** The hearing's booking, for a hearing's call (then the booking, not matching, decides when it ends). */
  bookingId: string | null;
}

/** What PostgreSQL tells every node when a session's end commits. */
interface EndedNotice {
  sessionId: string;
  reason: SessionEndReason;
  interpreterId: string;
  officialId: string | null;
  callerSub: string | null;
}

/** The PostgreSQL channel on which ended sessions are announced (per database, so per deployment; see session_end). */
const ENDED_CHANNEL = 'puente_session_ended';
/** After a lost LISTEN connection, sessions that ended from this long before it was noticed are replayed. */
const LISTEN_GAP_MARGIN_MS = 60_000;

/** Holders of a hearing's seats found not in the call (null: nobody may be replaced). */
export interface VacantSeats {
  official: string | null;
  caller: string | null;
}
const NO_SEATS: VacantSeats = { official: null, caller: null };
const seatTaken = (role: 'official' | 'caller') => new ConflictException(`the ${role}'s seat in this hearing is taken by someone who is in the call`);

/**
 * Session records (metadata only) and who takes part in them.
 *
 * A session's end is announced through PostgreSQL's LISTEN/NOTIFY: `end` notifies inside the transaction
 * that ends it, PostgreSQL delivers the notice only if and when that transaction commits, and to every node
 * (each listens on a connection of its own). So `onEnded` listeners (media closes the session's router,
 * wherever it is hosted) run after the commit, on every node, whichever node ended it; and each node tells
 * the participants connected to it that the session ended.
 */
@Injectable()
export class SessionsService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('Sessions');
  private listener?: Client;
  private closing = false;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly outbox: AuditOutbox,
    private readonly realtime: RealtimeService,
    private readonly config: AppConfig,
    private readonly bus: EventBus,
  ) {}

  async onModuleInit() {
    await this.listen();
  }

  async onModuleDestroy() {
    this.closing = true;
    await this.listener?.end().catch(() => undefined);
  }

  /**
   * Listens for ended sessions. If the connection drops, it listens again, and hands the listeners the
   * sessions that ended meanwhile (they must be idempotent: closing a room twice is nothing).
   */
  private async listen(missedSince?: Date): Promise<void> {
    const client = new Client({ connectionString: this.config.DATABASE_URL, application_name: 'puente-sessions' });
    client.on('notification', (n) => n.channel === ENDED_CHANNEL && n.payload && this.ended(JSON.parse(n.payload) as EndedNotice));
    client.on('error', () => undefined);
    client.on('end', () => {
      if (this.closing) return;
      this.logger.warn('lost the connection that hears ended sessions; listening again');
      this.relisten(new Date(Date.now() - LISTEN_GAP_MARGIN_MS));
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${ENDED_CHANNEL}`);
    } catch (e) {
      await client.end().catch(() => undefined);
      throw e;
    }
    this.listener = client;
    if (missedSince) {
      const missed: { id: string }[] = await this.db.query(`SELECT id FROM sessions WHERE ended_at > $1`, [missedSince]);
      for (const s of missed) this.bus.emit('session.ended', s.id);
    }
  }

  private relisten(missedSince: Date) {
    if (this.closing) return;
    setTimeout(() => void this.listen(missedSince).catch(() => this.relisten(missedSince)), 1000).unref();
  }

  /** A session's end committed (on this node or another): tell its participants here, then the listeners. */
  private ended(n: EndedNotice) {
    const payload = { sessionId: n.sessionId, reason: n.reason };
    this.realtime.emitLocal(rooms.interpreter(n.interpreterId), 'session:ended', payload);
    if (n.callerSub) this.realtime.emitLocal(rooms.caller(n.callerSub), 'session:ended', payload);
    if (n.officialId) this.realtime.emitLocal(rooms.user(n.officialId), 'session:ended', payload);
    this.bus.emit('session.ended', n.sessionId, n.reason);
  }

  async find(id: string): Promise<SessionParticipants | null> {
    const [row] = await this.db.query(
      prepared(`SELECT s.id, s.request_id, s.interpreter_id, s.official_id, s.ended_at, s.booking_id, coalesce(r.caller_sub, s.caller_sub) AS caller_sub
       FROM sessions s LEFT JOIN interpretation_requests r ON r.id = s.request_id WHERE s.id = $1`),
      [id],
    );
    return row
      ? {
          id: row.id,
          requestId: row.request_id,
          interpreterId: row.interpreter_id,
          officialId: row.official_id,
          callerSub: row.caller_sub,
          endedAt: row.ended_at,
          bookingId: row.booking_id,
        }
      : null;
  }

  /**
   * Media closes a session's router when it ends. Runs after the end committed, on every node (whichever
   * node ended it), once per node.
   */
  onEnded(listener: (sessionId: string, reason?: SessionEndReason) => void) {
    this.bus.on('session.ended', listener);
  }

  /**
   * The role in which this principal takes part in a live session, or null: the interpreter it was
   * assigned to, the caller whose request it serves (by her anonymous token subject), or the official who
   * takes part as the third party (set by a hearing's booking).
   */
  async participantRole(sessionId: string, p: Principal): Promise<ParticipantRole | null> {
    const s = await this.find(sessionId);
    return s && !s.endedAt ? roleIn(s, p) : null;
  }

  /** Tells the session's other participants that one of them left (the session may go on). */
  tellLeft(s: SessionParticipants, role: ParticipantRole) {
    const payload = { sessionId: s.id, role };
    if (role !== 'interpreter') this.realtime.toInterpreter(s.interpreterId, 'session:participantLeft', payload);
    if (role !== 'caller' && s.callerSub) this.realtime.toCaller(s.callerSub, 'session:participantLeft', payload);
    if (role !== 'official' && s.officialId) this.realtime.emit(rooms.user(s.officialId), 'session:participantLeft', payload);
  }

  /** Adds a role to the roles that took part in a live session (once, in the order of first joining). */
  async markJoined(sessionId: string, role: ParticipantRole): Promise<void> {
    await this.db.query(
      `UPDATE sessions SET participant_roles = array_append(participant_roles, $2::text)
       WHERE id = $1 AND ended_at IS NULL AND NOT ($2::text = ANY (participant_roles))`,
      [sessionId, role],
    );
  }

  /**
   * The session's media started: stamps when, and moves its request to `connected` (see `markConnected`).
   * The media module calls it when the call really starts.
   */
  async markStarted(sessionId: string) {
    await this.db.query(`UPDATE sessions SET started_at = now() WHERE id = $1 AND started_at IS NULL`, [sessionId]);
    await this.markConnected(sessionId);
  }

  /**
   * Media flows between the caller and the interpreter: the request moves from `accepted` to `connected`
   * (once; a request that ended or was handed on meanwhile is left alone) and the caller is told.
   * True if this call made the change.
   */
  async markConnected(sessionId: string): Promise<boolean> {
    const [done] = await rows<{ id: string; caller_sub: string | null }>(
      this.db,
      prepared(`WITH c AS (
         UPDATE interpretation_requests r SET state = 'connected' FROM sessions s
         WHERE s.id = $1 AND s.ended_at IS NULL AND r.id = s.request_id AND r.state = 'accepted'
         RETURNING r.*
       ), ev AS (
         ${outboxInsert(`SELECT 'request.connected', NULL, NULL, c.country, c.id, matching_request_facts(c::interpretation_requests) || jsonb_build_object('sessionId', $1::uuid) FROM c`)}
       )
       SELECT id, caller_sub FROM c`),
      [sessionId],
    );
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
  end(m: Pick<EntityManager, 'query'>, sessionId: string, reason: string, audited = true): Promise<EndedSession | null> {
    return this.endOne(m, sessionId, null, reason, audited);
  }

  /** The same for the live session of a request, if it has one (with the request row locked). */
  endLiveOfRequest(m: Pick<EntityManager, 'query'>, requestId: string, reason: string, audited = true): Promise<EndedSession | null> {
    return this.endOne(m, null, requestId, reason, audited);
  }

  private async endOne(m: Pick<EntityManager, 'query'>, sessionId: string | null, requestId: string | null, reason: string, audited: boolean) {
    const [row] = await m.query(prepared(`SELECT id, request_id, interpreter_id FROM session_end($1, $2, $3, $4)`), [sessionId, requestId, reason, audited]);
    if (!row) return null;
    if (audited) this.outbox.kick();
    return { id: row.id, requestId: row.request_id, interpreterId: row.interpreter_id } as EndedSession;
  }

  // ---- hearings (bookings) ----------------------------------------------------------------------------

  /**
   * The live session of a hearing, created by whoever joins first. Once a hearing's call has ended it is not
   * reopened, except after `media_failed`: the media could not be rebuilt, the hearing is not over, and its
   * participants join a new session. Conflict if the interpreter is still in another call, or if another official
   * holds the seat and is not among `vacant` (read before the transaction). The caller holds the booking's row
   * lock, so two joiners never both open one.
   */
  async openForBooking(m: EntityManager, bookingId: string, interpreterId: string, officialId: string | null, vacant: VacantSeats = NO_SEATS): Promise<string> {
    const [latest] = await m.query(
      `SELECT id, ended_at, end_reason, official_id FROM sessions WHERE booking_id = $1 ORDER BY ended_at IS NULL DESC, created_at DESC LIMIT 1`,
      [bookingId],
    );
    if (latest?.ended_at && latest.end_reason !== MEDIA_FAILED) throw new ConflictException("this hearing's call has ended");
    if (latest && !latest.ended_at) {
      if (officialId && officialId !== latest.official_id) {
        if (latest.official_id && latest.official_id !== vacant.official) throw seatTaken('official');
        await m.query(`UPDATE sessions SET official_id = $2 WHERE id = $1`, [latest.id, officialId]);
      }
      return latest.id;
    }
    try {
      const [row] = await m.query(`INSERT INTO sessions (booking_id, interpreter_id, official_id) VALUES ($1, $2, $3) RETURNING id`, [
        bookingId,
        interpreterId,
        officialId,
      ]);
      return row.id;
    } catch (e) {
      if (pgCode(e) === PG.UNIQUE_VIOLATION) throw new ConflictException('the interpreter is still in another call; try again in a moment');
      throw e;
    }
  }

  /**
   * The remote woman of a hearing: the anonymous subject her join code's token carries. A new code gives her
   * seat to whoever redeems it only when the one holding it is no longer in the call (her phone died): she is
   * `vacant.caller`, read before the transaction.
   */
  async setCaller(m: EntityManager, sessionId: string, callerSub: string, vacant: VacantSeats = NO_SEATS) {
    const [s] = await m.query(`SELECT caller_sub FROM sessions WHERE id = $1 AND ended_at IS NULL FOR UPDATE`, [sessionId]);
    if (s?.caller_sub && s.caller_sub !== vacant.caller) throw seatTaken('caller');
    await m.query(`UPDATE sessions SET caller_sub = $2 WHERE id = $1 AND ended_at IS NULL`, [sessionId, callerSub]);
  }

  /**
   * The seats of a hearing's live session whose holders are not in the call on any node, so may go to someone
   * else (a second device of the same person simply replaces her first: her token's subject is the same). Asked
   * before the transaction that takes a seat, which only checks the holder is still the one found free here:
   * asking every node is a round trip that must not hold the booking's row lock.
   */
  async vacantSeats(bookingId: string): Promise<VacantSeats> {
    const [s] = await this.db.query(`SELECT id, official_id, caller_sub FROM sessions WHERE booking_id = $1 AND ended_at IS NULL`, [bookingId]);
    if (!s) return NO_SEATS;
    const free = async (holder: string | null) => (holder && !(await this.realtime.isIn(rooms.session(s.id), holder)) ? holder : null);
    const [official, caller] = await Promise.all([free(s.official_id), free(s.caller_sub)]);
    return { official, caller };
  }

  /** The booking a session belongs to, if it is a hearing's. */
  async bookingOf(sessionId: string): Promise<string | null> {
    const [row] = await this.db.query(`SELECT booking_id FROM sessions WHERE id = $1`, [sessionId]);
    return row?.booking_id ?? null;
  }
}

/** The role in which `p` takes part in session `s`, if any. */
export function roleIn(s: Pick<SessionParticipants, 'interpreterId' | 'officialId' | 'callerSub'>, p: Principal): ParticipantRole | null {
  if (p.role === 'interpreter' && p.interpreterId === s.interpreterId) return 'interpreter';
  if (p.role === 'caller' && !!s.callerSub && p.sub === s.callerSub) return 'caller';
  if (p.role === 'official' && !!s.officialId && p.sub === s.officialId) return 'official';
  return null;
}
