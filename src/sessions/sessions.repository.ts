import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { outboxInsert } from '../audit/audit-outbox';
import { byKey } from '../database/by-key';
import { prepared } from '../database/prepared';
import { PG, pgCode } from '../database/pg-errors';
import { rows } from '../database/sql';

type Sql = Pick<EntityManager, 'query'>;

import type { InterpreterRole, ParticipantRole } from '../common/domain';
import type { SessionEndReason } from '../realtime/realtime.contract';
export type { ParticipantRole };

/** An interpreter of a call, in her role (session_interpreters). */
export interface SessionInterpreter {
  id: string;
  role: InterpreterRole;
}

/** What every node is told when a session's end has committed (`session_end` returns it; SessionsService announces it). */
export interface EndedNotice {
  sessionId: string;
  reason: SessionEndReason;
  interpreterId: string;
  /** Every interpreter of the call (the lead among them). */
  interpreterIds: string[];
  officialId: string | null;
  /** Whom to tell as callers: who asked (a woman, or the official of "interpreter now") and a woman who joined by code. */
  callerSubs: string[];
  /** When it ended (ISO 8601, the database's clock). */
  endedAt: string;
  /** Its interpreters' wrap-up as it stands (none after a call that never started, a technical end, or WRAPUP_SECONDS 0). */
  wrapups?: EndedWrapup[];
}

/** An interpreter's wrap-up time after a call: until when (ISO 8601), and whether she may still extend it. */
export interface EndedWrapup {
  id: string;
  until: string;
  canExtend: boolean;
}

export interface EndedSession {
  id: string;
  requestId: string | null;
  interpreterId: string;
  notice: EndedNotice;
}

/** A session and who takes part in it (the caller by her token subject, while her request is live). */
export interface SessionParticipants {
  id: string;
  requestId: string | null;
  /** The lead interpreter (role `interpreter`). */
  interpreterId: string;
  /** Every interpreter of the call in her role, the lead first. */
  interpreters: SessionInterpreter[];
  officialId: string | null;
  callerSub: string | null;
  endedAt: Date | null;
  /** The hearing's booking, for a hearing's call (then the booking, not matching, decides when it ends). */
  bookingId: string | null;
  /** An official's own request ("interpreter now"): she asked, and its caller is the woman's phone if she joined by code. */
  byOfficial: boolean;
}

/** The newest session of a hearing, as opening its call reads it. */
export interface HearingSession {
  id: string;
  ended_at: Date | null;
  end_reason: string | null;
  official_id: string | null;
}

/** A hearing's live session and who holds its seats. */
export interface LiveHearingSession {
  id: string;
  official_id: string | null;
  caller_sub: string | null;
}

/** A session's interpreters in their roles, the lead first (a sub-select of a statement on `sessions s`). */
// A live call's: those still in it (one released from a hearing is not); an ended call's: all who were.
// (Each interpreter once per role: she may have been seated in it more than once.)
const INTERPRETERS_OF_S = `(SELECT coalesce(json_agg(json_build_object('id', x.interpreter_id, 'role', x.role) ORDER BY x.role <> 'interpreter', x.role), '[]')
   FROM (SELECT DISTINCT si.interpreter_id, si.role FROM session_interpreters si
         WHERE si.session_id = s.id AND (si.ended_at IS NULL OR s.ended_at IS NOT NULL)) x)`;

/**
 * The SQL of session records (metadata only). Methods that take `m` run inside the caller's transaction; the
 * rules (who takes part, when a hearing's call reopens) are SessionsService's.
 */
@Injectable()
export class SessionsRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async find(id: string): Promise<SessionParticipants | null> {
    const [row] = await this.db.query(
      // An official's request ("interpreter now"): she is its official; its caller is the woman's own phone, if any.
      prepared(`SELECT s.id, s.request_id, s.interpreter_id, coalesce(s.official_id, r.official_id) AS official_id, s.ended_at, s.booking_id,
         CASE WHEN r.official_id IS NULL THEN coalesce(r.caller_sub, s.caller_sub) ELSE s.caller_sub END AS caller_sub,
         ${INTERPRETERS_OF_S} AS interpreters, r.official_id IS NOT NULL AS by_official
       FROM sessions s LEFT JOIN interpretation_requests r ON r.id = s.request_id WHERE s.id = $1`),
      [id],
    );
    return row
      ? {
          id: row.id,
          requestId: row.request_id,
          interpreterId: row.interpreter_id,
          interpreters: row.interpreters,
          officialId: row.official_id,
          callerSub: row.caller_sub,
          endedAt: row.ended_at,
          bookingId: row.booking_id,
          byOfficial: row.by_official,
        }
      : null;
  }

  /**
   * The sessions that ended in (after, upTo], upTo being `settleSeconds` before now by the database's clock (which
   * stamped `ended_at`), and upTo: the sweep for notices a node never sent.
   */
  async endedBetween(after: Date | null, settleSeconds: number): Promise<{ upTo: Date; ids: string[] }> {
    const found = await rows<{ up_to: Date; id: string | null }>(
      this.db,
      prepared(`WITH w AS (SELECT now() - make_interval(secs => $2) AS up_to)
       SELECT w.up_to, s.id FROM w LEFT JOIN sessions s ON s.ended_at > coalesce($1, w.up_to) AND s.ended_at <= w.up_to`),
      [after, settleSeconds],
    );
    return { upTo: found[0].up_to, ids: found.flatMap((f) => (f.id ? [f.id] : [])) };
  }

  /**
   * The notices of ended sessions as far as they can be rebuilt, as `session_end` made them: the interpreters whose seats
   * ended with the call (in its transaction, so at the same time) or its lead, whom to tell except a woman whose request
   * has ended (her token subject is forgotten with it), and their wrap-up as it stands now.
   */
  async endedNotices(ids: string[]): Promise<EndedNotice[]> {
    return rows<EndedNotice>(
      this.db,
      `SELECT s.id AS "sessionId", s.end_reason AS reason, s.interpreter_id AS "interpreterId", s.official_id AS "officialId",
         to_json(s.ended_at) #>> '{}' AS "endedAt", seated.ids AS "interpreterIds",
         ARRAY(SELECT DISTINCT x FROM unnest(ARRAY[r.caller_sub, s.caller_sub]) x WHERE x IS NOT NULL) AS "callerSubs",
         (SELECT coalesce(json_agg(json_build_object('id', i.id, 'until', i.wrapup_until, 'canExtend', NOT i.wrapup_extended)), '[]')
            FROM interpreters i WHERE i.id = ANY (seated.ids) AND i.wrapup_until > now()) AS wrapups
       FROM sessions s LEFT JOIN interpretation_requests r ON r.id = s.request_id
       CROSS JOIN LATERAL (SELECT coalesce(array_agg(si.interpreter_id), ARRAY[s.interpreter_id]) AS ids FROM session_interpreters si
                           WHERE si.session_id = s.id AND si.ended_at = s.ended_at) seated
       WHERE s.id = ANY ($1::uuid[]) AND s.ended_at IS NOT NULL`,
      [ids],
    );
  }

  async markJoined(sessionId: string, role: ParticipantRole): Promise<void> {
    await this.db.query(
      `UPDATE sessions SET participant_roles = array_append(participant_roles, $2::text)
       WHERE id = $1 AND ${byKey.notEnded()} AND NOT ($2::text = ANY (participant_roles))`,
      [sessionId, role],
    );
  }

  async markStarted(sessionId: string): Promise<void> {
    await this.db.query(`UPDATE sessions SET started_at = now() WHERE id = $1 AND started_at IS NULL`, [sessionId]);
  }

  /**
   * Moves the live session's request from `accepted` to `connected`, with its audit event, in one statement;
   * the request and its caller, or null when there was nothing to move.
   */
  async markConnected(sessionId: string): Promise<{ id: string; caller_sub: string | null } | null> {
    const [done] = await rows<{ id: string; caller_sub: string | null }>(
      this.db,
      prepared(`WITH c AS (
         UPDATE interpretation_requests r SET state = 'connected' FROM sessions s
         WHERE s.id = $1 AND ${byKey.notEnded('s.ended_at')} AND r.id = s.request_id AND r.state = 'accepted'
         RETURNING r.*
       ), ev AS (
         ${outboxInsert(`SELECT 'request.connected', NULL, NULL, c.country, c.id, matching_request_facts(c::interpretation_requests) || jsonb_build_object('sessionId', $1::uuid) FROM c`)}
       )
       SELECT id, caller_sub FROM c`),
      [sessionId],
    );
    return done ?? null;
  }

  /** Ends a live session, by its id or as the live one of a request (the function `session_end`); null if none was live. */
  async end(
    m: Sql,
    by: { sessionId: string | null; requestId: string | null },
    reason: string,
    audited: boolean,
  ): Promise<EndedSession | null> {
    const [row] = await m.query(prepared(`SELECT id, request_id, interpreter_id, notice FROM session_end($1, $2, $3, $4)`), [
      by.sessionId,
      by.requestId,
      reason,
      audited,
    ]);
    return row ? { id: row.id, requestId: row.request_id, interpreterId: row.interpreter_id, notice: row.notice } : null;
  }

  // ---- hearings ------------------------------------------------------------------------------------------

  /** The hearing's live session if it has one, else its newest. */
  async latestOfBooking(m: Sql, bookingId: string): Promise<HearingSession | null> {
    const [latest] = await m.query(
      `SELECT id, ended_at, end_reason, official_id FROM sessions WHERE booking_id = $1 ORDER BY ended_at IS NULL DESC, created_at DESC LIMIT 1`,
      [bookingId],
    );
    return latest ?? null;
  }

  /** The id of a request's live session, if it has one. */
  async liveIdOfRequest(m: Sql, requestId: string): Promise<string | null> {
    const [s] = await m.query(`SELECT id FROM sessions WHERE request_id = $1 AND ${byKey.notEnded()}`, [requestId]);
    return s?.id ?? null;
  }

  async liveOfBooking(bookingId: string, m: Sql = this.db): Promise<LiveHearingSession | null> {
    const [s] = await m.query(`SELECT id, official_id, caller_sub FROM sessions WHERE booking_id = $1 AND ${byKey.notEnded()}`, [
      bookingId,
    ]);
    return s ?? null;
  }

  /** A new session for a hearing (its interpreters are seated by `reseat`). */
  async insertForBooking(m: Sql, bookingId: string, leadId: string, officialId: string | null): Promise<string> {
    const [row] = await m.query(`INSERT INTO sessions (booking_id, interpreter_id, official_id) VALUES ($1, $2, $3) RETURNING id`, [
      bookingId,
      leadId,
      officialId,
    ]);
    return row.id;
  }

  /**
   * A live hearing's call seats these interpreters (the lead first): a role whose interpreter changed gets the new
   * one, a role no longer held is ended (its interpreter is free again), and the session's lead follows. Each seat on
   * its own: one still in another call (the unique index on live calls refuses her), or holding a relay chain's leg
   * she accepted whose call is about to open, is left out, and the others are seated all the same; she is seated when
   * she joins once free. The ids of those left out.
   */
  async reseat(m: Sql, sessionId: string, interpreters: SessionInterpreter[]): Promise<string[]> {
    await m.query(
      `UPDATE session_interpreters SET ended_at = now() WHERE session_id = $1 AND ${byKey.notEnded()} AND NOT role = ANY ($2::text[])`,
      [sessionId, interpreters.map((i) => i.role)],
    );
    const busy: string[] = [];
    for (const seat of interpreters) {
      // Seated here, she would make that chain's call fail to open when its other leg accepts.
      const [{ waiting }] = await m.query(
        `SELECT EXISTS (SELECT 1 FROM offers WHERE interpreter_id = $1 AND holds AND outcome = 'accepted' AND leg <> 'direct') AS waiting`,
        [seat.id],
      );
      if (waiting) {
        busy.push(seat.id);
        continue;
      }
      await m.query('SAVEPOINT seat');
      try {
        // A seat that changes hands ends one seating and starts another (hours count each from its own start).
        await m.query(
          `UPDATE session_interpreters SET ended_at = now() WHERE session_id = $1 AND role = $2 AND ${byKey.notEnded()} AND interpreter_id <> $3`,
          [sessionId, seat.role, seat.id],
        );
        await m.query(
          `INSERT INTO session_interpreters (session_id, role, interpreter_id, seated_at) SELECT $1::uuid, $2::varchar, $3::uuid, now()
           WHERE NOT EXISTS (SELECT 1 FROM session_interpreters WHERE session_id = $1::uuid AND role = $2::varchar AND ${byKey.notEnded()})`,
          [sessionId, seat.role, seat.id],
        );
        await m.query('RELEASE SAVEPOINT seat');
      } catch (e) {
        if (pgCode(e) !== PG.UNIQUE_VIOLATION) throw e;
        await m.query('ROLLBACK TO SAVEPOINT seat');
        busy.push(seat.id);
      }
    }
    await m.query(`UPDATE sessions SET interpreter_id = $2 WHERE id = $1 AND interpreter_id <> $2`, [sessionId, interpreters[0].id]);
    return busy;
  }

  /** Ends her seat in the live call of a hearing, if she has one there; the session and her role. */
  async unseat(m: Sql, bookingId: string, interpreterId: string): Promise<{ session_id: string; role: InterpreterRole } | null> {
    const [seat] = await rows<{ session_id: string; role: InterpreterRole }>(
      m,
      `UPDATE session_interpreters si SET ended_at = now() FROM sessions s
        WHERE s.id = si.session_id AND s.booking_id = $1 AND ${byKey.notEnded('s.ended_at')} AND si.interpreter_id = $2 AND ${byKey.notEnded('si.ended_at')}
        RETURNING si.session_id, si.role`,
      [bookingId, interpreterId],
    );
    return seat ?? null;
  }

  async setOfficial(m: Sql, sessionId: string, officialId: string): Promise<void> {
    await m.query(`UPDATE sessions SET official_id = $2 WHERE id = $1`, [sessionId, officialId]);
  }

  /** Locks the live session's row; who holds the caller's seat (undefined if it is not live). */
  async lockCallerSeat(m: Sql, sessionId: string): Promise<string | null | undefined> {
    const [s] = await m.query(`SELECT caller_sub FROM sessions WHERE id = $1 AND ${byKey.notEnded()} FOR UPDATE`, [sessionId]);
    return s ? s.caller_sub : undefined;
  }

  /**
   * The live session of an official's request ("interpreter now") that is in a call, locked unless `lock` is false,
   * with its caller's seat (the woman's own phone, if she joined by code), the request's country and the official.
   */
  async liveOfOfficialRequest(
    m: Sql,
    requestId: string,
    { lock = true } = {},
  ): Promise<{ id: string; caller_sub: string | null; country: string | null; official_id: string } | null> {
    const [s] = await m.query(
      `SELECT s.id, s.caller_sub, r.country, r.official_id FROM sessions s JOIN interpretation_requests r ON r.id = s.request_id
        WHERE s.request_id = $1 AND ${byKey.notEnded('s.ended_at')} AND r.official_id IS NOT NULL AND r.state IN ('accepted', 'connected')
        ${lock ? 'FOR UPDATE OF s' : ''}`,
      [requestId],
    );
    return s ?? null;
  }

  async setCaller(m: Sql, sessionId: string, callerSub: string): Promise<void> {
    await m.query(`UPDATE sessions SET caller_sub = $2 WHERE id = $1 AND ${byKey.notEnded()}`, [sessionId, callerSub]);
  }
}
