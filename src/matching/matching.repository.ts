import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { outboxInsert } from '../audit/audit-outbox';
import { COUNTRY_CODES } from '../common/countries';
import type { Matter, Urgency } from '../common/domain';
import type { Reachable } from '../presence/presence.service';
import type { OfferLeg } from '../realtime/realtime.contract';
import { byKey } from '../database/by-key';
import { prepared } from '../database/prepared';
import { uuidArray } from '../database/uuid-array';
import { rows } from '../database/sql';
import type { ReturnCodeDraw } from '../return-codes/return-codes.service';
import type { EndedNotice } from '../sessions/sessions.service';
import { REQUEUED_RANK, WAITING_ORDER_SQL, WAITING_STATES, type RequestState } from './priority';

type Sql = Pick<EntityManager, 'query'>;

/*
 * The escalation ladder of DESIGN.md lives in PostgreSQL (src/matching/sql/): `matching_pairs` says who may be
 * offered what now, in both directions, and `matching_dispatch` rings the best candidates for a request; the
 * other steps of a request's life are `matching_accept` and `matching_finish`, and the statements below.
 * Rosters: the caller's country (or the home roster) and those that share with it; a caller with neither may
 * draw only on rosters that share with every member state (see README, "How a woman is matched").
 */

/** How a query finds who may be offered what: the rules that are not in the rows themselves. */
export interface LadderRules {
  /** The deployment's home roster, for callers who give no country (null when unset). */
  homeCountry: string | null;
  /** Someone who declined a request, or let it ring out, may be offered it again after this long. */
  retryAfterSeconds: number;
}

/** How many other member states a roster shares with when it shares with all of them. */
export const OPEN_ROSTER = COUNTRY_CODES.length - 1;

/** How many overdue offers one read returns (MatchingRepository.overdueOffers). */
export const OVERDUE_BATCH = 200;

/**
 * An offer `o` of request `r` that is a relay chain's leg she accepted, waiting for the other leg: her acceptance holds
 * her, and the call has not opened (releaseLeg lets such a leg go).
 */
const WAITING_LEG = `o.holds AND o.outcome = 'accepted' AND o.leg <> 'direct' AND ${byKey.inStates('r.state', WAITING_STATES)}`;

export interface MadeOffer {
  id: string;
  interpreterId: string;
  tier: 1 | 2 | 3 | 4;
  /** The whole call, or one leg of a relay chain. */
  leg: OfferLeg;
  expiresAt: Date;
  /** She has devices that receive offers by Web Push. */
  push: boolean;
}

export interface Dispatched {
  state: RequestState;
  /** The state before. */
  was: RequestState;
  request: {
    id: string;
    languageId: string;
    /** What the other side speaks; null for a request made before targets existed. */
    targetLanguageId: string | null;
    matter: Matter;
    urgency: Urgency;
    minor: boolean;
    callerSub: string | null;
    /** The interpreter her return code named (rung first), if she came back with one. */
    returnTo: string | null;
  };
  offers: MadeOffer[];
  /** A relay chain's relay language, once planned. */
  relayLanguageId: string | null;
  /** She asked for a woman, none could be rung, and someone else is free: she is told, and may choose anyone. */
  noWomanFree?: boolean;
  /**
   * Nobody free covers the target and a relay chain could: who is available for these relay languages is needed
   * (the dispatch rang nobody; it is made again with them).
   */
  needsRelay?: string[];
}

/** The request row as a step locks it. */
export interface RequestRow {
  id: string;
  language_id: string;
  matter: Matter;
  urgency: Urgency;
  minor: boolean;
  prefer_female: boolean;
  country: string | null;
  caller_sub: string | null;
  state: RequestState;
  interpreter_id: string | null;
  /** When she (re)entered the waiting line: the wait limit counts from here. */
  queued_at: Date;
  /** Seconds since queued_at, by the database's clock. */
  waited_s: number;
  /** Its language and those recorded as mutually intelligible with it. */
  language_ids: string[];
}

export interface NewRequest {
  languageId: string;
  /** What the other side speaks; null: the main language of where she is, or of the home roster. */
  targetLanguageId: string | null;
  matter: Matter;
  urgency: Urgency;
  minor: boolean;
  preferFemale: boolean;
  country: string | null;
  callerSub: string;
  priority: number;
  /** The official who asks with a woman beside her ("interpreter now"); null: the woman's own request. */
  officialId: string | null;
  /** "Not from my country": nobody from a roster of the countries where her language is spoken. */
  notFromCountry: boolean;
  /** The keyed hash of her return code (ReturnCodesService), used up by the insert; null: none. */
  returnCodeHash: string | null;
}

/** An interpreter of a call that just opened, with the offer she accepted. */
export interface Seated {
  interpreterId: string;
  offerId: string;
  role: 'interpreter' | 'relay_interpreter';
  firstName: string;
}

/** What `matching_open` did: the session opened with its interpreters, and the offers it withdrew. */
export interface Opened {
  sessionId: string;
  requestId: string;
  callerSub: string | null;
  /** Her return code was stored with the call (her own requests only: not an official's "interpreter now"). */
  returnCode: boolean;
  languageId: string;
  waitSeconds: number;
  firstName: string | null;
  interpreters: Seated[];
  withdrawn: { id: string; interpreterId: string }[];
  othersWaiting: boolean;
}

/**
 * What `matching_accept` did: the session opened (matching_open), or, for the first leg of a relay chain to accept,
 * `waiting` for the other (the other offers of her leg withdrawn).
 */
export interface Accepted extends Opened {
  error?: 'not_found' | 'conflict';
  waiting?: true;
  /** When the chain was planned (its legs' wait limit counts from here), with `waiting`. */
  relaySince: string;
}

/** What `matching_relay_unfilled` did with a chain not filled in time. */
export interface RelayUnfilled {
  requestId: string;
  callerSub: string | null;
  languageId: string;
  /** Its source leg had accepted: her call opened with her alone. */
  opened: Opened | null;
  /** Every offer of the chain closed (the pending withdrawn, an accepted relay leg released). */
  withdrawn: { id: string; interpreterId: string }[];
}

/** What `matching_finish` did to a request it moved to a terminal state. */
export interface Finished {
  callerSub: string | null;
  languageId: string;
  queuedAt: string;
  withdrawn: { id: string; interpreterId: string }[];
  /** The call it ended, as every node is to be told (its interpreters, the lead and a relay leg's, free again). */
  endedSession: EndedNotice | null;
  /** What each interpreter of that call may be offered now (servableBy), by her id; none listed: nothing. */
  servable: Record<string, string[]>;
  othersWaiting: boolean;
}

/** A waiting request's place in its language's line. */
export interface InLine {
  id: string;
  caller_sub: string | null;
  state: 'queued' | 'offering';
}

/**
 * The request row as steps lock it, with its linked languages read in the same statement (catalogue data:
 * reading it on a snapshot older than the lock is harmless). Anything that changes under the lock (its
 * offers, its session) is read by the statements after it, which see the latest committed state.
 */
const LOCK_REQUEST = `SELECT r.*, extract(epoch FROM now() - r.queued_at)::float8 AS waited_s, ladder_languages(r.language_id) AS language_ids
  FROM interpretation_requests r`;

/** matching_new_request's arguments but the home roster, in its order (matching_create takes them first too). */
const newRequestParams = (r: NewRequest) => [
  r.languageId,
  r.targetLanguageId,
  r.matter,
  r.urgency,
  r.minor,
  r.preferFemale,
  r.country,
  r.callerSub,
  r.priority,
  r.officialId,
];

/** matching_dispatch's answer, its times as dates; null if the request was not waiting. */
function dispatched(d: (Omit<Dispatched, 'offers'> & { offers: (MadeOffer & { expiresAt: string })[] }) | null): Dispatched | null {
  return d && { ...d, offers: d.offers.map((o) => ({ ...o, expiresAt: new Date(o.expiresAt) })) };
}

/**
 * The SQL of on-demand matching: requests, offers and the waiting line. Each step that changes something is
 * one statement (or one function call) that writes its audit events to the outbox too; the hot ones are
 * prepared. Methods that take `m` run inside the caller's transaction; MatchingService keeps the rules.
 */
@Injectable()
export class MatchingRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /**
   * The request, its audit event and its first dispatch among `available` (`matching_create`), in one round trip
   * and one commit. A unique index refuses a second live request of the same caller.
   */
  async createRequest(
    r: NewRequest,
    q: { available: Reachable; ringSeconds: number; ringOnCallSeconds: number },
    rules: LadderRules,
  ): Promise<{ id: string; dispatched: Dispatched | null }> {
    const [{ c }] = await this.db.query(
      prepared(
        `SELECT matching_create($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12::uuid[], $13, $14, $15, $16, $17::uuid[], $18, $19) AS c`,
      ),
      [
        ...newRequestParams(r),
        r.notFromCountry,
        uuidArray(q.available.ids),
        q.ringSeconds,
        rules.homeCountry,
        rules.retryAfterSeconds,
        OPEN_ROSTER,
        uuidArray(q.available.onCall),
        q.ringOnCallSeconds,
        r.returnCodeHash,
      ],
    );
    return { id: c.id, dispatched: dispatched(c.dispatched) };
  }

  /**
   * The request and its audit event alone, in one statement: when its first dispatch failed (createRequest rolled
   * back), she still gets her request, queued, and the sweep dispatches it.
   */
  async createQueuedRequest(r: NewRequest, homeCountry: string | null): Promise<{ id: string }> {
    const [created] = await this.db.query(
      prepared(`SELECT id FROM matching_new_request($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`),
      [...newRequestParams(r), homeCountry, r.notFromCountry, r.returnCodeHash],
    );
    return created;
  }

  /** A language and those recorded as mutually intelligible with it (`ladder_languages`). */
  async ladderLanguages(languageId: string): Promise<string[]> {
    const [{ ids }] = await this.db.query(prepared(`SELECT ladder_languages($1) AS ids`), [languageId]);
    return ids;
  }

  /** The request's state, if it exists (and, with `callerSub`, is hers). */
  async stateOf(requestId: string, callerSub?: string): Promise<RequestState | null> {
    const [r] = callerSub
      ? await this.db.query(prepared(`SELECT state FROM interpretation_requests WHERE id = $1 AND caller_sub = $2`), [requestId, callerSub])
      : await this.db.query(`SELECT state FROM interpretation_requests WHERE id = $1`, [requestId]);
    return r?.state ?? null;
  }

  /** The languages a waiting request may be served in, and its relay chain's relay language; null if it is not waiting. */
  async waitingLanguages(requestId: string): Promise<{ languageIds: string[]; relayLanguageId: string | null } | null> {
    const [r] = await this.db.query(
      prepared(
        `SELECT ladder_languages(r.language_id) AS language_ids, r.relay_language_id FROM interpretation_requests r
         WHERE r.id = $1 AND ${byKey.inStates('r.state', WAITING_STATES)}`,
      ),
      [requestId],
    );
    return r ? { languageIds: r.language_ids, relayLanguageId: r.relay_language_id } : null;
  }

  /**
   * The acceptance, in one round trip (`matching_accept`, the request row locked inside it), storing `code` (her return
   * code) if it opens the call.
   */
  async accept(offerId: string, interpreterId: string, code: ReturnCodeDraw): Promise<Accepted> {
    const [{ a }] = await this.db.query(prepared(`SELECT matching_accept($1, $2, $3, $4) AS a`), [
      offerId,
      interpreterId,
      code.hash,
      code.hours,
    ]);
    return a;
  }

  /**
   * Rings the best candidates among `available`, in one round trip (`matching_dispatch`); null if the request is not
   * waiting. `relay`: who is available for a relay chain's relay languages, when known (null: not read).
   */
  async dispatch(
    q: { requestId: string; available: Reachable; relay: Reachable | null; ringSeconds: number; ringOnCallSeconds: number },
    rules: LadderRules,
  ): Promise<Dispatched | null> {
    const [{ d }] = await this.db.query(
      prepared(`SELECT matching_dispatch($1, $2::uuid[], $3, $4, $5, $6, $7::uuid[], $8::uuid[], $9) AS d`),
      [
        q.requestId,
        uuidArray(q.available.ids),
        q.ringSeconds,
        rules.homeCountry,
        rules.retryAfterSeconds,
        OPEN_ROSTER,
        q.relay ? uuidArray(q.relay.ids) : null,
        uuidArray([...q.available.onCall, ...(q.relay?.onCall ?? [])]),
        q.ringOnCallSeconds,
      ],
    );
    return dispatched(d);
  }

  /**
   * A relay chain not filled within `waitSeconds` of its planning is served by one interpreter instead, in one round
   * trip (`matching_relay_unfilled`, the request row locked inside it); null if the request is no such chain.
   */
  async relayUnfilled(requestId: string, waitSeconds: number, code: ReturnCodeDraw): Promise<RelayUnfilled | null> {
    const [{ u }] = await this.db.query(`SELECT matching_relay_unfilled($1, $2, $3, $4) AS u`, [
      requestId,
      waitSeconds,
      code.hash,
      code.hours,
    ]);
    return u ?? null;
  }

  /**
   * The waiting requests this interpreter may be offered now, in the order the line is served (emergency,
   * urgent, normal; minors first; then oldest in line, except that a request she has already been offered
   * comes after those she has not), each with a free place for an offer (an emergency rings three). All of
   * them, not the first few: the one she can serve may be far down the line.
   */
  async servableBy(interpreterId: string, rules: LadderRules): Promise<string[]> {
    // matching_servable (20-matching.sql) pairs her only with the waiting requests she could take (a free place, a
    // language she speaks or one linked to it), found through the partial index of the line by language.
    const found: { request_id: string }[] = await this.db.query(
      prepared(`SELECT request_id FROM matching_servable($1, $2, $3, $4) ORDER BY place`),
      [interpreterId, rules.homeCountry, rules.retryAfterSeconds, OPEN_ROSTER],
    );
    return found.map((r) => r.request_id);
  }

  /** Whether she cannot be rung now: ringing, in a live call, or kept for a hearing (`matching_free`, as dispatch asks it). */
  async isBusy(interpreterId: string): Promise<boolean> {
    const [{ busy }] = await this.db.query(prepared(`SELECT NOT matching_free($1) AS busy`), [interpreterId]);
    return busy;
  }

  /** Her acceptances of a relay chain's leg whose call has not opened yet (her offer holds her meanwhile). */
  async waitingLegsOf(interpreterId: string): Promise<string[]> {
    const waiting: { id: string }[] = await this.db.query(
      `SELECT o.id FROM offers o JOIN interpretation_requests r ON r.id = o.request_id
       WHERE o.interpreter_id = $1 AND ${WAITING_LEG}`,
      [interpreterId],
    );
    return waiting.map((o) => o.id);
  }

  /**
   * Releases her acceptance of a relay chain's leg while its call has not opened (superseded, her hold gone), with
   * its request locked by the caller; the leg rings again at the next dispatch. Whether it was still waiting.
   */
  async releaseLeg(m: Sql, offerId: string): Promise<boolean> {
    const released = await rows(
      m,
      `UPDATE offers SET holds = false, superseded_at = now() WHERE id = $1 AND outcome = 'accepted' AND ${byKey.holding()} AND leg <> 'direct' RETURNING id`,
      [offerId],
    );
    return released.length > 0;
  }

  /**
   * Her offers that her languages no longer allow (a roster import took one away), as matching_pairs and matching_ring
   * ask it: none of hers is the leg's language or one linked to it (ladder_languages; a relay leg's is the relay
   * language), or, for a relay chain's leg, she no longer covers what it is interpreted into (a source leg: the relay
   * language; a relay leg: the target). `ringing`: still ringing; `waiting`: a chain's leg she accepted, waiting for the
   * other leg (waitingLegsOf).
   */
  async offersBeyondHerLanguages(interpreterId: string): Promise<{ ringing: string[]; waiting: string[] }> {
    const beyond: { id: string; accepted: boolean }[] = await this.db.query(
      `SELECT o.id, o.outcome IS NOT NULL AS accepted
       FROM offers o JOIN interpretation_requests r ON r.id = o.request_id JOIN interpreters i ON i.id = o.interpreter_id
       WHERE o.interpreter_id = $1 AND o.holds
         AND (o.outcome IS NULL OR (${WAITING_LEG}))
         AND NOT (i.language_ids && ladder_languages(CASE o.leg WHEN 'relay' THEN coalesce(r.relay_language_id, r.language_id) ELSE r.language_id END)
           AND (o.leg = 'direct'
             OR ladder_covers_target(CASE o.leg WHEN 'source' THEN r.relay_language_id ELSE r.target_language_id END, i.language_ids, i.relay_language_ids)))`,
      [interpreterId],
    );
    return { ringing: beyond.filter((o) => !o.accepted).map((o) => o.id), waiting: beyond.filter((o) => o.accepted).map((o) => o.id) };
  }

  /** Her offers still ringing. */
  async pendingOffersOf(interpreterId: string): Promise<string[]> {
    const pending: { id: string }[] = await this.db.query(
      `SELECT id FROM offers WHERE interpreter_id = $1 AND holds AND ${byKey.undecided()}`,
      [interpreterId],
    );
    return pending.map((o) => o.id);
  }

  /**
   * Moves a request in one of `from` to `to`, in one round trip (`matching_finish`, the request row locked
   * inside it); null if it was in none of them (or had waited less than `waitedAtLeast` seconds).
   */
  async finish(
    requestId: string,
    to: RequestState,
    from: RequestState[],
    waitedAtLeast: number | null,
    rules: LadderRules,
  ): Promise<Finished | null> {
    const [{ f }] = await this.db.query(prepared(`SELECT matching_finish($1, $2, $3::text[], $4, $5, $6, $7) AS f`), [
      requestId,
      to,
      from,
      waitedAtLeast,
      rules.homeCountry,
      rules.retryAfterSeconds,
      OPEN_ROSTER,
    ]);
    return f ?? null;
  }

  /**
   * Interpreters never to be offered this request again (she asked for another: `session:another`), nor rung by the
   * return code she was given for it (the next interpreter's code replaces it).
   */
  async exclude(m: Sql, requestId: string, interpreterIds: string[]): Promise<void> {
    await m.query(
      `UPDATE interpretation_requests SET excluded_interpreters = ARRAY(SELECT DISTINCT x FROM unnest(excluded_interpreters || $2::uuid[]) x)
       WHERE id = $1`,
      [requestId, interpreterIds],
    );
    await m.query(`DELETE FROM return_codes WHERE request_id = $1 AND interpreter_id = ANY ($2::uuid[])`, [requestId, interpreterIds]);
  }

  /** She takes whoever is free first (`request:choose`): only a waiting request that asked for a woman. */
  async chooseAny(requestId: string): Promise<boolean> {
    const changed = await rows(
      this.db,
      `WITH c AS (UPDATE interpretation_requests SET any_interpreter = true
                  WHERE id = $1 AND ${byKey.inStates('state', WAITING_STATES)} AND prefer_female AND NOT any_interpreter RETURNING id) SELECT id FROM c`,
      [requestId],
    );
    return changed.length > 0;
  }

  /**
   * Back in line with a fresh wait (the limit counts from now), ahead of everyone new: the accepted offers are
   * superseded, a relay chain is planned afresh (whoever is free now), and the event audited. The request row is
   * locked by the caller. When it went back in line.
   */
  async requeue(m: Sql, requestId: string, endedSessionId: string | null, reason: string): Promise<Date> {
    const [row] = await rows<{ queued_at: Date }>(
      m,
      `WITH req AS (SELECT * FROM interpretation_requests WHERE id = $1),
       sup AS (
         UPDATE offers SET superseded_at = now() WHERE request_id = $1 AND outcome = 'accepted' AND superseded_at IS NULL
       ), u AS (
         UPDATE interpretation_requests SET state = 'queued', interpreter_id = NULL, tier = NULL, accepted_at = NULL, priority = $2,
           queued_at = clock_timestamp(), relay_language_id = NULL, relay_since = NULL
         WHERE id = $1 RETURNING queued_at
       ), ev AS (
         ${outboxInsert(`SELECT 'request.requeued', NULL, NULL, req.country, req.id, matching_request_facts(req::interpretation_requests)
           || jsonb_build_object('reason', $4::text, 'from', req.state, 'sessionId', $3::uuid, 'requeuedAt', u.queued_at) FROM req, u`)}
       )
       SELECT queued_at FROM u`,
      [requestId, REQUEUED_RANK, endedSessionId, reason],
    );
    return row.queued_at;
  }

  /**
   * Closes one pending offer (declined, expired or withdrawn) and audits it, in one statement; the request row is
   * locked by the caller. Her id, or null if the offer was not pending.
   */
  async closeOffer(m: Sql, offerId: string, outcome: 'declined' | 'expired' | 'withdrawn', requestId: string): Promise<string | null> {
    const [o] = await rows<{ interpreter_id: string }>(
      m,
      prepared(`WITH req AS (SELECT * FROM interpretation_requests WHERE id = $3),
       c AS (
         UPDATE offers SET outcome = $2, decided_at = now(), holds = false WHERE id = $1 AND ${byKey.undecided()} RETURNING interpreter_id, tier, created_at
       ), ev AS (
         ${outboxInsert(`SELECT 'offer.' || $2, NULL, NULL, req.country, req.id, matching_request_facts(req::interpretation_requests)
           || jsonb_build_object('offerId', $1::uuid, 'interpreterId', c.interpreter_id, 'tier', c.tier, 'offeredAt', c.created_at) FROM c, req`)}
       )
       SELECT interpreter_id FROM c`),
      [offerId, outcome, requestId],
    );
    return o?.interpreter_id ?? null;
  }

  /** Locks the request, with what every step needs to know about it. */
  async lockRequest(m: Sql, id: string): Promise<RequestRow | null> {
    const [r] = await m.query(prepared(`${LOCK_REQUEST} WHERE r.id = $1 FOR UPDATE OF r`), [id]);
    return r ?? null;
  }

  /** Locks the request of an offer (hers, if `interpreterId` is given); null if there is none. */
  async lockRequestOfOffer(m: Sql, offerId: string, interpreterId: string | null): Promise<RequestRow | null> {
    const [r] = await m.query(
      prepared(
        `${LOCK_REQUEST} WHERE r.id = (SELECT request_id FROM offers WHERE id = $1 AND ($2::uuid IS NULL OR interpreter_id = $2)) FOR UPDATE OF r`,
      ),
      [offerId, interpreterId],
    );
    return r ?? null;
  }

  /** The requests of her live calls. */
  async liveRequestsOf(interpreterId: string): Promise<string[]> {
    const live: { request_id: string | null }[] = await this.db.query(
      `SELECT request_id FROM sessions WHERE interpreter_id = $1 AND ended_at IS NULL`,
      [interpreterId],
    );
    return live.flatMap((s) => (s.request_id ? [s.request_id] : []));
  }

  /** Marks an offer still ringing as not shown by her console in time; its request, if that is an emergency. */
  async markUnseen(offerId: string): Promise<string | null> {
    // A WITH around the UPDATE: TypeORM answers a bare UPDATE with [rows, count], a SELECT with its rows.
    const [r] = await this.db.query(
      `WITH u AS (UPDATE offers o SET unseen = true FROM interpretation_requests r
                  WHERE o.id = $1 AND ${byKey.undecided('o.outcome')} AND r.id = o.request_id RETURNING r.id, r.urgency)
       SELECT id, urgency FROM u`,
      [offerId],
    );
    return r?.urgency === 'emergency' ? (r.id as string) : null;
  }

  /**
   * Her offers ringing now, each with its request as an offer tells it (a console opened from a pushed offer shows it).
   * Through her one hold (every ringing offer holds her: offers_pending_holds), never through every offer ringing.
   */
  async ringingOffersOf(interpreterId: string): Promise<(Pick<Dispatched, 'request' | 'relayLanguageId'> & { offer: MadeOffer })[]> {
    const rows: Record<string, string & boolean>[] = await this.db.query(
      `SELECT o.id, o.tier, o.leg, o.expires_at, r.id AS request_id, r.language_id, r.target_language_id, r.matter, r.urgency, r.minor,
              r.relay_language_id, r.return_to
       FROM offers o JOIN interpretation_requests r ON r.id = o.request_id
       WHERE o.interpreter_id = $1 AND o.holds AND ${byKey.undecided('o.outcome')} AND o.expires_at > now()`,
      [interpreterId],
    );
    return rows.map((o) => ({
      offer: {
        id: o.id,
        interpreterId,
        tier: Number(o.tier) as MadeOffer['tier'],
        leg: o.leg as OfferLeg,
        expiresAt: new Date(o.expires_at),
        push: false,
      },
      request: {
        id: o.request_id,
        languageId: o.language_id,
        targetLanguageId: o.target_language_id,
        matter: o.matter as Matter,
        urgency: o.urgency as Urgency,
        minor: o.minor,
        callerSub: null,
        returnTo: o.return_to,
      },
      relayLanguageId: o.relay_language_id,
    }));
  }

  /**
   * Her live on-demand call, if any, with the offer she accepted for it. Her live seat is her newest (she has one at a
   * time, session_interpreters_one_live, and a seat is live when it is made): one entry of her seats' index. Asked as
   * her live seat, joined to its call, the plan could prove the call's index of live seats from the join and, made
   * while no call was live, walked every live seat (test/medium/ladder.medium-spec.ts).
   */
  async openCallsOf(interpreterId: string): Promise<{ offer_id: string; session_id: string }[]> {
    return this.db.query(
      prepared(`SELECT o.id AS offer_id, s.id AS session_id
       FROM (SELECT * FROM session_interpreters WHERE interpreter_id = $1 ORDER BY id DESC LIMIT 1) si JOIN sessions s ON s.id = si.session_id
       JOIN offers o ON o.request_id = s.request_id AND o.interpreter_id = si.interpreter_id AND o.outcome = 'accepted' AND o.superseded_at IS NULL
       WHERE si.ended_at IS NULL`),
      [interpreterId],
    );
  }

  // ---- callers -------------------------------------------------------------------------------------------

  /** The language of her live request (her token subject is kept only while it is live), if she has one. */
  async languageOfCaller(sub: string): Promise<string | null> {
    const [r] = await this.db.query(prepared(`SELECT language_id FROM interpretation_requests WHERE caller_sub = $1`), [sub]);
    return r?.language_id ?? null;
  }

  async requestsOfCaller(sub: string): Promise<string[]> {
    const live: { id: string }[] = await this.db.query(`SELECT id FROM interpretation_requests WHERE caller_sub = $1`, [sub]);
    return live.map((r) => r.id);
  }

  // ---- the sweep (MatchingProcessor) ---------------------------------------------------------------------

  /**
   * Offers still ringing at `by` (their second's job), or, for the sweep, two seconds past their ring time (their job
   * was lost); at most OVERDUE_BATCH.
   */
  async overdueOffers(by?: Date): Promise<string[]> {
    const found: { id: string }[] = await this.db.query(
      `SELECT id FROM offers WHERE outcome IS NULL AND expires_at <= coalesce($1, now() - interval '2 seconds') LIMIT ${OVERDUE_BATCH}`,
      [by ?? null],
    );
    return found.map((o) => o.id);
  }

  /** Waiting requests that have waited `seconds` in full since they last entered the line, at most 200. */
  async waitedFor(seconds: number): Promise<string[]> {
    const found: { id: string }[] = await this.db.query(
      `SELECT id FROM interpretation_requests WHERE state IN ('queued','offering') AND queued_at <= now() - make_interval(secs => $1) LIMIT 200`,
      [seconds],
    );
    return found.map((r) => r.id);
  }

  /** Waiting relay chains planned `seconds` ago or more (their legs' wait limit), at most 200. */
  async relaysOverdue(seconds: number): Promise<string[]> {
    const found: { id: string }[] = await this.db.query(
      `SELECT id FROM interpretation_requests WHERE relay_language_id IS NOT NULL AND state IN ('queued','offering')
       AND relay_since <= now() - make_interval(secs => $1) LIMIT 200`,
      [seconds],
    );
    return found.map((r) => r.id);
  }

  /**
   * The `skip`-th waiting request, most urgent first, with a free place for an offer (queued, or an emergency
   * ringing fewer than three) and no offer made or answered for `seconds`; fresh ones are left to their own dispatch.
   * The line is sorted first and its offers looked at only until the one asked for is found (`OFFSET 0` keeps the
   * look above the sort): no index holds the whole line in this order (migration 1765890000000), and looked at
   * before the sort, every waiting request's offers were read at each of the sweep's steps.
   */
  async stalled(seconds: number, skip: number): Promise<string | null> {
    const [next]: { id: string }[] = await this.db.query(
      `SELECT w.id FROM (
         SELECT r.id, r.urgency FROM interpretation_requests r
         WHERE r.state IN ('queued','offering') AND r.queued_at < now() - make_interval(secs => $1)
         ORDER BY ${WAITING_ORDER_SQL} OFFSET 0) w
       WHERE (SELECT count(*) FROM offers o WHERE o.request_id = w.id AND ${byKey.undecided('o.outcome')}) < ladder_at_once(w.urgency)
       AND NOT EXISTS (SELECT 1 FROM offers o WHERE o.request_id = w.id AND (o.created_at > now() - make_interval(secs => $1) OR o.decided_at > now() - make_interval(secs => $1)))
       OFFSET $2 LIMIT 1`,
      [seconds, skip],
    );
    return next?.id ?? null;
  }

  /** The token subjects of callers with a live request (kept only while it is live). */
  async callersWithLiveRequests(): Promise<string[]> {
    const found: { caller_sub: string }[] = await this.db.query(
      `SELECT caller_sub FROM interpretation_requests WHERE caller_sub IS NOT NULL`,
    );
    return found.map((c) => c.caller_sub);
  }

  /**
   * Interpreters in a live on-demand call: through the index of live on-demand calls, whose key (the request, never
   * null where joined) is named so that no plan has to prove it from the join (migration 1765900000000).
   */
  async interpretersInOnDemandCalls(): Promise<string[]> {
    const found: { interpreter_id: string }[] = await this.db.query(
      `SELECT DISTINCT s.interpreter_id FROM sessions s JOIN interpretation_requests r ON r.id = s.request_id
       WHERE s.request_id IS NOT NULL AND s.ended_at IS NULL AND r.state IN ('accepted','connected')`,
    );
    return found.map((s) => s.interpreter_id);
  }

  /** The waiting line of a language, in the order it is served. */
  line(languageId: string): Promise<InLine[]> {
    return this.db.query(
      prepared(`SELECT id, caller_sub, state FROM interpretation_requests WHERE language_id = $1 AND state IN ('queued','offering')
       ORDER BY ${WAITING_ORDER_SQL}`),
      [languageId],
    );
  }
}
