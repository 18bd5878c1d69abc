import { ConflictException, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { EventEmitter } from 'node:events';
import { DataSource, EntityManager } from 'typeorm';
import type { Principal } from '../auth/principal';
import { AuditService } from '../audit/audit.service';
import { rows } from '../database/sql';

export interface EndedSession {
  id: string;
  requestId: string | null;
  interpreterId: string;
}

/** Session records (metadata only). Media for a session comes with the media issue. */
@Injectable()
export class SessionsService {
  private readonly events = new EventEmitter();

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly audit: AuditService,
  ) {}

  /** Inside the acceptance transaction: the unique index refuses a second live session for her. */
  async createForRequest(m: EntityManager, requestId: string, interpreterId: string): Promise<string> {
    try {
      const [row] = await m.query(`INSERT INTO sessions (request_id, interpreter_id) VALUES ($1, $2) RETURNING id`, [requestId, interpreterId]);
      return row.id;
    } catch (e) {
      if ((e as { code?: string }).code === '23505') throw new ConflictException('this interpreter is already in a session');
      throw e;
    }
  }

  async find(id: string): Promise<{ id: string; requestId: string | null; interpreterId: string; endedAt: Date | null } | null> {
    const [row] = await this.db.query(`SELECT id, request_id, interpreter_id, ended_at FROM sessions WHERE id = $1`, [id]);
    return row ? { id: row.id, requestId: row.request_id, interpreterId: row.interpreter_id, endedAt: row.ended_at } : null;
  }

  /** Media closes a session's router when it ends. */
  onEnded(listener: (sessionId: string) => void) {
    this.events.on('ended', listener);
  }

  /**
   * The role in which this principal takes part in a live session, or null: the interpreter it was
   * assigned to, the caller whose request it serves (by her anonymous token subject), or the official who
   * takes part as the third party (set by a hearing's booking).
   */
  async participantRole(sessionId: string, p: Principal): Promise<'caller' | 'interpreter' | 'official' | null> {
    const [s] = await this.db.query(
      `SELECT s.interpreter_id, s.official_id, coalesce(r.caller_sub, s.caller_sub) AS caller_sub
       FROM sessions s LEFT JOIN interpretation_requests r ON r.id = s.request_id
       WHERE s.id = $1 AND s.ended_at IS NULL`,
      [sessionId],
    );
    if (!s) return null;
    if (p.role === 'interpreter' && p.interpreterId === s.interpreter_id) return 'interpreter';
    if (p.role === 'caller' && p.sub === s.caller_sub) return 'caller';
    if (p.role === 'official' && p.sub === s.official_id) return 'official';
    return null;
  }

  async markStarted(sessionId: string) {
    await this.db.query(`UPDATE sessions SET started_at = now() WHERE id = $1 AND started_at IS NULL`, [sessionId]);
  }

  async liveForRequest(m: EntityManager, requestId: string): Promise<string | null> {
    const [row] = await m.query(`SELECT id FROM sessions WHERE request_id = $1 AND ended_at IS NULL`, [requestId]);
    return row?.id ?? null;
  }

  /**
   * Ends a live session (idempotent: null when it had already ended) and frees the interpreter, stamping
   * when her last session ended (fairness in matching).
   */
  async end(m: EntityManager, sessionId: string, reason: string): Promise<EndedSession | null> {
    const [row] = await rows(m, `UPDATE sessions SET ended_at = now(), end_reason = $2, caller_sub = NULL WHERE id = $1 AND ended_at IS NULL RETURNING id, request_id, interpreter_id`,
      [sessionId, reason],
    );
    if (!row) return null;
    await rows(m, `UPDATE interpreters SET last_session_ended_at = now() WHERE id = $1`, [row.interpreter_id]);
    await this.audit.record('session.ended', { subjectId: row.id, data: { reason, requestId: row.request_id } }, m);
    this.events.emit('ended', row.id);
    return { id: row.id, requestId: row.request_id, interpreterId: row.interpreter_id };
  }

  // ---- hearings (bookings) ----------------------------------------------------------------------------

  /**
   * The live session of a hearing, created by whoever joins first. A hearing has one session for good: once
   * it has ended it is not reopened. Conflict if the interpreter is still in another call.
   */
  async openForBooking(m: EntityManager, bookingId: string, interpreterId: string, officialId: string | null): Promise<string> {
    const [existing] = await m.query(`SELECT id, ended_at FROM sessions WHERE booking_id = $1`, [bookingId]);
    if (existing?.ended_at) throw new ConflictException("this hearing's call has ended");
    if (existing) {
      if (officialId) await m.query(`UPDATE sessions SET official_id = $2 WHERE id = $1`, [existing.id, officialId]);
      return existing.id;
    }
    try {
      const [row] = await m.query(
        `INSERT INTO sessions (booking_id, interpreter_id, official_id) VALUES ($1, $2, $3) RETURNING id`,
        [bookingId, interpreterId, officialId],
      );
      return row.id;
    } catch (e) {
      if ((e as { code?: string }).code === '23505') throw new ConflictException('the interpreter is still in another call; try again in a moment');
      throw e;
    }
  }

  /** The remote woman of a hearing: the anonymous subject her join code's token carries. */
  async setCaller(m: EntityManager, sessionId: string, callerSub: string) {
    await m.query(`UPDATE sessions SET caller_sub = $2 WHERE id = $1 AND ended_at IS NULL`, [sessionId, callerSub]);
  }

  /** A hearing's session and who takes part in it, live or not. */
  async findForBooking(bookingId: string): Promise<{ id: string; interpreterId: string; officialId: string | null; callerSub: string | null; endedAt: Date | null } | null> {
    const [row] = await this.db.query(`SELECT id, interpreter_id, official_id, caller_sub, ended_at FROM sessions WHERE booking_id = $1`, [bookingId]);
    return row ? { id: row.id, interpreterId: row.interpreter_id, officialId: row.official_id, callerSub: row.caller_sub, endedAt: row.ended_at } : null;
  }

  /** The booking a session belongs to, if it is a hearing's. */
  async bookingOf(sessionId: string): Promise<string | null> {
    const [row] = await this.db.query(`SELECT booking_id FROM sessions WHERE id = $1`, [sessionId]);
    return row?.booking_id ?? null;
  }
}
