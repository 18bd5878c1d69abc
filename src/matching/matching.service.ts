import { InjectQueue } from '@nestjs/bull';
import { ConflictException, ForbiddenException, Injectable, Logger, NotFoundException, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Queue } from 'bull';
import { DataSource, EntityManager } from 'typeorm';
import type { Principal } from '../auth/principal';
import { AppConfig } from '../config/config.schema';
import { rows } from '../database/sql';
import { PresenceService } from '../presence/presence.service';
import { DomainMetrics } from '../metrics/domain.metrics';
import type { OfferWithdrawnReason } from '../realtime/realtime.contract';
import { RealtimeService } from '../realtime/realtime.service';
import { AuditOutbox, outboxInsert } from '../sessions/audit-outbox';
import { MEDIA_FAILED } from '../sessions/end-reasons';
import { roleIn, SessionParticipants, SessionsService } from '../sessions/sessions.service';
import { Dispatched, dispatchOnce, LadderRules, MadeOffer, servableBy } from './candidate-finder';
import { CreateRequestDto } from './dto/create-request.dto';
import { REQUEUED_RANK, urgencyRank, WAITING_ORDER_SQL, type RequestState } from './priority';
import { prepared } from '../database/prepared';
import { withRetry } from '../database/retry';
import { PG, pgCode } from '../database/pg-errors';
import { badField } from '../common/validation';

export const MATCHING_QUEUE = 'matching';

interface RequestRow {
  id: string;
  language_id: string;
  matter: string;
  urgency: 'normal' | 'urgent' | 'emergency';
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

/** What an interpreter is told about a request: nothing else about the caller. */
function offerPayload(o: MadeOffer, r: Dispatched['request']) {
  return { offerId: o.id, requestId: r.id, languageId: r.languageId, matter: r.matter, urgency: r.urgency, minor: r.minor, expiresAt: o.expiresAt.toISOString() };
}

/** A request's language and those recorded as mutually intelligible with it (links hold both ways), as a column. */
const LANGUAGE_IDS = (alias: string) =>
  `ARRAY[${alias}.language_id] || ARRAY(SELECT to_language_id FROM language_links WHERE from_language_id = ${alias}.language_id
     UNION SELECT from_language_id FROM language_links WHERE to_language_id = ${alias}.language_id)`;


/**
 * On-demand matching: a request climbs the escalation ladder, rings interpreters one at a time (three for
 * an emergency), and waits in the priority line when nobody suitable is free. Every guarantee is held by
 * PostgreSQL (row locks, conditional updates, unique indexes) and every timer is a Bull job, so any node
 * can carry on another's work. Lock order everywhere: the request row first, then its offers.
 *
 * Each step is a transaction of few statements: the request row locked (with what the step needs to
 * know), then one statement that makes the whole change and writes its audit events to the outbox
 * (AuditOutbox moves them into the hash chain after the commit). Pushes to sockets and Bull timers come
 * after the commit; the sweep repairs any that a node dying in between did not make.
 */
@Injectable()
export class MatchingService implements OnModuleInit {
  private readonly logger = new Logger('Matching');

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @InjectQueue(MATCHING_QUEUE) private readonly queue: Queue,
    private readonly config: AppConfig,
    private readonly presence: PresenceService,
    private readonly sessions: SessionsService,
    private readonly outbox: AuditOutbox,
    private readonly realtime: RealtimeService,
    private readonly metrics: DomainMetrics,
  ) {}

  onModuleInit() {
    // Serving the waiting line can take several dispatches: her `presence:set` is acknowledged without waiting.
    this.presence.on('available', (id) => this.inBackground(this.serveInterpreter(id)));
    this.presence.on('unavailable', (id) => this.withdrawOffersOf(id, 'unavailable'));
    this.presence.on('disconnected', (id) => this.withdrawOffersOf(id, 'disconnected'));
    this.presence.on('lost', (id) => this.interpreterLost(id));
    // Media that could not be rebuilt ended the call: the caller is served again, at the front of the line.
    this.sessions.onEnded((sessionId, reason) => {
      if (reason === MEDIA_FAILED) this.inBackground(this.requeueAfterMediaFailure(sessionId));
    });
    this.realtime.onConnect((p) => this.callerConnected(p));
    this.realtime.onDisconnect((p) => this.callerDisconnected(p));
  }

  // ---- caller side -------------------------------------------------------------------------------------

  async createRequest(caller: Principal, dto: CreateRequestDto): Promise<{ requestId: string; state: RequestState }> {
    let created: { id: string; language_ids: string[] };
    try {
      // One statement: the request and its audit event. One live request per caller (a unique index on her
      // token subject): a second tap must not queue her twice.
      [created] = await rows(
        this.db,
        prepared(`WITH r AS (
           INSERT INTO interpretation_requests (language_id, matter, urgency, minor, prefer_female, country, caller_sub, priority)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING *
         ), ev AS (
           ${outboxInsert(`SELECT 'request.created', NULL, NULL, r.country, r.id, matching_request_facts(r::interpretation_requests) FROM r`)}
         )
         SELECT id, ${LANGUAGE_IDS('r')} AS language_ids FROM r`),
        [dto.languageId, dto.matter, dto.urgency, dto.minor, dto.preferFemale ?? false, dto.country ?? null, caller.sub, urgencyRank(dto.urgency)],
      );
    } catch (e) {
      if (pgCode(e) === PG.UNIQUE_VIOLATION) throw new ConflictException('you already have a request in progress');
      if (pgCode(e) === PG.FOREIGN_KEY_VIOLATION) throw badField('languageId', 'languageId is not in the catalogue');
      throw e;
    }
    this.outbox.kick();
    // The request exists from here on, whatever happens next: she gets its id. If its first dispatch fails (a
    // Redis or PostgreSQL hiccup), the sweep dispatches it (and ends it at the wait limit, as any other).
    let state: RequestState = 'queued';
    try {
      state = (await this.dispatch(created.id, created.language_ids)) ?? 'queued';
      if (state === 'queued') await this.announceLine(dto.languageId);
    } catch (e) {
      this.logger.error({ err: (e as Error)?.name, code: pgCode(e) }, 'first dispatch failed; the sweep will dispatch the request');
    }
    return { requestId: created.id, state };
  }

  async cancelRequest(caller: Principal, requestId: string): Promise<{ state: RequestState }> {
    const [r] = await this.db.query(prepared(`SELECT state FROM interpretation_requests WHERE id = $1 AND caller_sub = $2`), [requestId, caller.sub]);
    if (!r) throw new NotFoundException('no such request');
    const ended = await this.finish(requestId, 'cancelled', ['queued', 'offering', 'accepted']);
    if (!ended) throw new ConflictException(`the request is ${(await this.db.query(`SELECT state FROM interpretation_requests WHERE id = $1`, [requestId]))[0]?.state ?? 'gone'}`);
    return { state: 'cancelled' };
  }

  // ---- interpreter side --------------------------------------------------------------------------------

  async acceptOffer(interpreter: Principal, offerId: string): Promise<{ sessionId: string }> {
    const interpreterId = this.interpreterOf(interpreter);
    // One round trip (matching_accept): the acceptance, the other offers withdrawn, the session, the request,
    // the audit event; the request row is locked inside it. The same statement reads how long she waited,
    // for the wait-time histogram: accepted_at is now() of this very transaction, and created_at never changes.
    let a: { error?: 'not_found' | 'conflict'; sessionId: string; requestId: string; callerSub: string | null; languageId: string; firstName: string | null;
      withdrawn: { id: string; interpreterId: string }[]; othersWaiting: boolean };
    let wait: string | number | null;
    try {
      [{ a, wait }] = await withRetry(() =>
        this.db.query(
          prepared(`SELECT a, (SELECT extract(epoch FROM now() - r.created_at) FROM interpretation_requests r
             WHERE a->>'error' IS NULL AND r.id = (a->>'requestId')::uuid) AS wait
           FROM matching_accept($1, $2) AS a`),
          [offerId, interpreterId],
        ),
      );
    } catch (e) {
      if (pgCode(e) === PG.UNIQUE_VIOLATION) throw new ConflictException('this interpreter is already in a session');
      throw e;
    }
    if (a.error === 'not_found') throw new NotFoundException('no such offer');
    if (a.error) throw new ConflictException('this offer is no longer open');
    this.outbox.kick();
    this.metrics.offers.inc({ outcome: 'accepted' });
    if (wait != null) this.metrics.waitSeconds.observe(Number(wait));
    if (a.withdrawn.length) this.metrics.offers.inc({ outcome: 'withdrawn' }, a.withdrawn.length);
    if (a.callerSub) {
      this.realtime.toCaller(a.callerSub, 'request:update', { requestId: a.requestId, state: 'accepted', interpreter: { firstName: a.firstName ?? '' }, sessionId: a.sessionId });
    }
    for (const w of a.withdrawn) {
      this.realtime.toInterpreter(w.interpreterId, 'offer:withdrawn', { offerId: w.id, reason: 'taken' });
      // Another won the emergency: she is free for the next request.
      this.inBackground(this.serveInterpreter(w.interpreterId));
    }
    // After the answer: what only tidies up.
    this.inBackground(
      Promise.all([
        this.presence.offerAnswered(interpreterId),
        this.dropJobs([offerId, ...a.withdrawn.map((w) => w.id)].map((id) => `offer-expire:${id}`)),
        a.othersWaiting ? this.announceLine(a.languageId) : undefined,
      ]),
    );
    return { sessionId: a.sessionId };
  }

  async declineOffer(interpreter: Principal, offerId: string): Promise<Record<string, never>> {
    const interpreterId = this.interpreterOf(interpreter);
    const closed = await this.closeOffer(offerId, 'declined', interpreterId);
    if (!closed) throw new ConflictException('this offer is no longer open');
    await this.presence.offerAnswered(interpreterId);
    await this.dropJobs([`offer-expire:${offerId}`]);
    await this.dispatch(closed.requestId);
    // She is free: the next request she can serve rings for her (not this one, for a while).
    this.inBackground(this.serveInterpreter(interpreterId));
    return {};
  }

  /** The ring-time job: an offer nobody answered expires and the next candidate is tried. */
  async expireOffer(offerId: string) {
    const closed = await this.closeOffer(offerId, 'expired');
    if (!closed) return;
    this.realtime.toInterpreter(closed.interpreterId, 'offer:withdrawn', { offerId, reason: 'expired' });
    await this.presence.offerMissed(closed.interpreterId);
    await this.dispatch(closed.requestId);
    // Still available (one miss does not set her away): the next request she can serve rings for her.
    await this.serveInterpreter(closed.interpreterId);
  }

  /** She went away, offline or lost her connection while ringing: withdraw and try the next. */
  async withdrawOffersOf(interpreterId: string, reason: OfferWithdrawnReason) {
    const pending: { id: string }[] = await this.db.query(`SELECT id FROM offers WHERE interpreter_id = $1 AND outcome IS NULL`, [interpreterId]);
    for (const o of pending) {
      const closed = await this.closeOffer(o.id, 'withdrawn');
      if (!closed) continue;
      await this.dropJobs([`offer-expire:${o.id}`]);
      this.realtime.toInterpreter(interpreterId, 'offer:withdrawn', { offerId: o.id, reason });
      await this.dispatch(closed.requestId);
    }
  }

  // ---- the ladder ---------------------------------------------------------------------------------------

  /**
   * Rings the best free candidates for a waiting request, as many as it may ring at once, and returns the
   * request's state (null if it was not waiting). Safe to call any number of times from any node: the
   * request row lock serialises it, and the unique index on holds makes a busy interpreter's insert a no-op
   * (the next candidate is tried then). Only this transaction's own connection is used inside it (and
   * Redis): a transaction that waits for a second pooled connection can starve the pool and freeze the node.
   */
  async dispatch(requestId: string, languageIds?: string[]): Promise<RequestState | null> {
    if (!languageIds) {
      const [r] = await this.db.query(
        prepared(`SELECT ${LANGUAGE_IDS('r')} AS language_ids FROM interpretation_requests r WHERE r.id = $1 AND r.state IN ('queued', 'offering')`),
        [requestId],
      );
      if (!r) return null;
      languageIds = r.language_ids as string[];
    }
    // Who is available right now, from Redis; then one round trip (matching_dispatch) that locks the request
    // and rings the best of them.
    const timer = this.metrics.dispatchSeconds.startTimer();
    const available = await this.presence.availableFor(languageIds);
    const made = await withRetry(() => dispatchOnce(this.db, { requestId, available, ringSeconds: this.config.OFFER_RING_SECONDS }, this.ladderRules));
    timer();
    if (!made) return null;
    this.outbox.kick();
    const r = made.request;
    for (const o of made.offers) this.realtime.toInterpreter(o.interpreterId, 'offer:new', offerPayload(o, r));
    if (made.offers.length && r.callerSub) {
      this.realtime.toCaller(r.callerSub, 'request:update', { requestId, state: 'offering' });
    } else if (made.state === 'queued' && made.was === 'offering') {
      await this.announceLine(r.languageId);
    }
    // The ring time, as Bull jobs (the sweep expires an offer whose job a dying node never scheduled).
    await Promise.all(
      made.offers.map((o) => this.queue.add('offer-expire', { offerId: o.id }, { jobId: `offer-expire:${o.id}`, delay: this.config.OFFER_RING_SECONDS * 1000 })),
    );
    return made.state;
  }

  /**
   * An interpreter who is free and available is offered the most urgent waiting request she can serve, at
   * once: when she becomes available (or comes back within her grace period), and whenever she is free again
   * (a call ended, she declined, an offer rang out or was withdrawn, another won an emergency). Each request
   * she could serve, in the order of the line, is dispatched until she rings or none is left; a dispatch may
   * ring someone better placed for that request, and then the next one is tried for her.
   */
  async serveInterpreter(interpreterId: string) {
    if (!(await this.presence.isAvailable(interpreterId))) return;
    for (const requestId of await servableBy(this.db, interpreterId, this.ladderRules)) {
      await this.dispatch(requestId);
      const [busy] = await this.db.query(
        prepared(`SELECT 1 FROM offers WHERE interpreter_id = $1 AND holds UNION ALL SELECT 1 FROM sessions WHERE interpreter_id = $1 AND ended_at IS NULL`),
        [interpreterId],
      );
      if (busy) return;
    }
  }

  private get ladderRules(): LadderRules {
    return { homeCountry: this.config.HOME_COUNTRY ?? null, retryAfterSeconds: this.config.OFFER_RING_SECONDS };
  }

  // ---- endings ------------------------------------------------------------------------------------------

  /**
   * The wait limit (the sweep finds overdue requests from their time in line, kept in PostgreSQL): ends a
   * request `unmatched` once it has waited the full limit since it last entered the line. A request that
   * was requeued meanwhile (fresh wait) is left alone.
   */
  async timeoutRequest(requestId: string) {
    await this.finish(requestId, 'unmatched', ['queued', 'offering'], { waitedAtLeast: this.config.REQUEST_WAIT_LIMIT_SECONDS });
  }

  /**
   * Moves a request to a terminal state if it is in one of `from`: withdraws its pending offers, ends its
   * session if any, forgets the caller's token subject, and tells everyone concerned (the session's
   * participants hear `session:ended` from SessionsService once the end has committed).
   */
  async finish(
    requestId: string,
    to: 'cancelled' | 'unmatched' | 'abandoned' | 'completed',
    from: RequestState[],
    only: { waitedAtLeast?: number } = {},
  ): Promise<boolean> {
    // One round trip (matching_finish), the request row locked inside it.
    const [{ f }] = await withRetry(() =>
      this.db.query(prepared(`SELECT matching_finish($1, $2, $3::text[], $4) AS f`), [requestId, to, from, only.waitedAtLeast ?? null]),
    );
    const done = f as {
      callerSub: string | null;
      languageId: string;
      queuedAt: string;
      withdrawn: { id: string; interpreterId: string }[];
      endedSession: string | null;
      endedInterpreter: string | null;
      othersWaiting: boolean;
    } | null;
    if (!done) return false;
    this.outbox.kick();
    if (done.withdrawn.length) this.metrics.offers.inc({ outcome: 'withdrawn' }, done.withdrawn.length);
    for (const w of done.withdrawn) {
      this.realtime.toInterpreter(w.interpreterId, 'offer:withdrawn', { offerId: w.id, reason: to });
      this.inBackground(this.serveInterpreter(w.interpreterId));
    }
    if (done.callerSub) this.realtime.toCaller(done.callerSub, 'request:update', { requestId, state: to });
    // (The session's participants hear `session:ended` from SessionsService once the end has committed.)
    if (done.endedInterpreter) this.inBackground(this.serveInterpreter(done.endedInterpreter));
    if (done.othersWaiting) await this.announceLine(done.languageId);
    if (done.withdrawn.length) this.inBackground(this.dropJobs(done.withdrawn.map((w) => `offer-expire:${w.id}`)));
    return true;
  }

  /**
   * The interpreter of a live call lost her connection for longer than her grace period: the call ends for
   * her, and the caller goes back to the front of the line with the same request, for the next interpreter.
   */
  async interpreterLost(interpreterId: string) {
    const live: { request_id: string | null }[] = await this.db.query(`SELECT request_id FROM sessions WHERE interpreter_id = $1 AND ended_at IS NULL`, [
      interpreterId,
    ]);
    for (const { request_id: requestId } of live) if (requestId) await this.requeue(requestId, 'interpreter_lost');
  }

  private async requeueAfterMediaFailure(sessionId: string) {
    const s = await this.sessions.find(sessionId);
    if (s?.requestId) await this.requeue(s.requestId, MEDIA_FAILED);
  }

  /**
   * A call that cannot go on (its interpreter is gone, or its media could not be rebuilt): its live session
   * ends if it has not already, and the caller goes back to the front of the line with the same request, for
   * the next interpreter. Idempotent (every node hears of a media failure): only a request still in a call
   * is requeued.
   */
  private async requeue(requestId: string, reason: 'interpreter_lost' | typeof MEDIA_FAILED) {
    const done = await withRetry(() =>
      this.db.transaction(async (m) => {
        const r = await this.lockRequest(m, requestId);
        if (!r || (r.state !== 'accepted' && r.state !== 'connected')) return null;
        const ended = await this.sessions.endLiveOfRequest(m, requestId, reason, false);
        // Back in line with a fresh wait (the limit counts from now), ahead of everyone new.
        const [row] = await rows<{ queued_at: Date }>(
          m,
          `WITH req AS (SELECT * FROM interpretation_requests WHERE id = $1),
           sup AS (
             UPDATE offers SET superseded_at = now() WHERE request_id = $1 AND outcome = 'accepted' AND superseded_at IS NULL
           ), u AS (
             UPDATE interpretation_requests SET state = 'queued', interpreter_id = NULL, tier = NULL, accepted_at = NULL, priority = $2,
               queued_at = clock_timestamp()
             WHERE id = $1 RETURNING queued_at
           ), ev AS (
             ${outboxInsert(`SELECT 'request.requeued', NULL, NULL, req.country, req.id, matching_request_facts(req::interpretation_requests)
               || jsonb_build_object('reason', $4::text, 'from', req.state, 'sessionId', $3::uuid, 'requeuedAt', u.queued_at) FROM req, u`)}
           )
           SELECT queued_at FROM u`,
          [requestId, REQUEUED_RANK, ended?.id ?? null, reason],
        );
        return { r, queuedAt: row.queued_at };
      }),
    );
    if (!done) return;
    this.outbox.kick();
    await this.dispatch(requestId);
    await this.announceLine(done.r.language_id);
  }

  /**
   * A participant left the call. The others are told; the session ends (for everyone, each told
   * `session:ended`) when the caller or the interpreter of an on-demand call leaves: the request is completed
   * and the interpreter is free again. An official leaving does not end it. Sessions of hearings (no request)
   * are ended by their booking, not here.
   */
  async sessionLeft(p: Principal, sessionId: string, found?: SessionParticipants | null): Promise<Record<string, never>> {
    const s = found === undefined ? await this.sessions.find(sessionId) : found;
    const role = s && roleIn(s, p);
    if (!s || !role) throw new NotFoundException('no such session');
    if (s.endedAt) return {};
    this.sessions.tellLeft(s, role);
    if (s.requestId && role !== 'official') await this.finish(s.requestId, 'completed', ['accepted', 'connected']);
    return {};
  }

  // ---- callers coming and going -------------------------------------------------------------------------

  private async callerConnected(p: Principal) {
    if (p.role !== 'caller') return;
    const [r] = await this.db.query(prepared(`SELECT language_id FROM interpretation_requests WHERE caller_sub = $1`), [p.sub]);
    if (!r) return;
    await this.dropJobs([`caller-grace:${p.sub}`]);
    await this.announceLine(r.language_id);
  }

  private async callerDisconnected(p: Principal) {
    if (p.role !== 'caller') return;
    // Only a caller with a live request (her token subject is kept only then) has anything to lose.
    const [live] = await this.db.query(prepared(`SELECT 1 FROM interpretation_requests WHERE caller_sub = $1`), [p.sub]);
    if (!live || (await this.realtime.countIn(`caller:${p.sub}`)) > 0) return;
    await this.startCallerGrace(p.sub);
  }

  async startCallerGrace(sub: string) {
    await this.queue.add('caller-grace', { sub }, { jobId: `caller-grace:${sub}`, delay: this.config.CALLER_GRACE_SECONDS * 1000 });
  }

  /** The caller-grace job: she did not come back, so her request is abandoned. */
  async callerGraceOver(sub: string) {
    if ((await this.realtime.countIn(`caller:${sub}`)) > 0) return;
    const live: { id: string }[] = await this.db.query(`SELECT id FROM interpretation_requests WHERE caller_sub = $1`, [sub]);
    for (const r of live) await this.finish(r.id, 'abandoned', ['queued', 'offering', 'accepted', 'connected']);
  }

  // ---- helpers ------------------------------------------------------------------------------------------

  /** Tells every caller waiting for this language her place in line (1 = next). */
  async announceLine(languageId: string) {
    const line: { id: string; caller_sub: string | null; state: 'queued' | 'offering' }[] = await this.db.query(
      prepared(`SELECT id, caller_sub, state FROM interpretation_requests WHERE language_id = $1 AND state IN ('queued','offering')
       ORDER BY ${WAITING_ORDER_SQL}`),
      [languageId],
    );
    line.forEach((r, i) => {
      if (r.caller_sub) this.realtime.toCaller(r.caller_sub, 'request:update', { requestId: r.id, state: r.state, queuePosition: i + 1 });
    });
  }

  /**
   * Closes one pending offer (declined, expired or withdrawn) with its request locked, and audits it, in one
   * statement after the lock. Returns its request and interpreter, or null if it was not pending (or, with
   * `interpreterId`, not hers).
   */
  private async closeOffer(offerId: string, outcome: 'declined' | 'expired' | 'withdrawn', interpreterId?: string) {
    const closed = await withRetry(() =>
      this.db.transaction(async (m) => {
        const r = await this.lockRequestOfOffer(m, offerId, interpreterId).catch((e) => {
          if (e instanceof NotFoundException && !interpreterId) return null;
          throw e;
        });
        if (!r) return null;
        const [o] = await rows<{ interpreter_id: string }>(
          m,
          prepared(`WITH req AS (SELECT * FROM interpretation_requests WHERE id = $3),
           c AS (
             UPDATE offers SET outcome = $2, decided_at = now(), holds = false WHERE id = $1 AND outcome IS NULL RETURNING interpreter_id, tier, created_at
           ), ev AS (
             ${outboxInsert(`SELECT 'offer.' || $2, NULL, NULL, req.country, req.id, matching_request_facts(req::interpretation_requests)
               || jsonb_build_object('offerId', $1::uuid, 'interpreterId', c.interpreter_id, 'tier', c.tier, 'offeredAt', c.created_at) FROM c, req`)}
           )
           SELECT interpreter_id FROM c`),
          [offerId, outcome, r.id],
        );
        return o ? { requestId: r.id, interpreterId: o.interpreter_id } : null;
      }),
    );
    if (closed) {
      this.outbox.kick();
      this.metrics.offers.inc({ outcome });
    }
    return closed;
  }

  private inBackground(work: Promise<unknown>) {
    work.catch((e) => this.logger.error({ err: (e as Error)?.name, code: pgCode(e) }, 'background matching work failed'));
  }

  private interpreterOf(p: Principal): string {
    if (p.role !== 'interpreter' || !p.interpreterId) throw new ForbiddenException('offers are for interpreters');
    return p.interpreterId;
  }

  /** Locks the request, with what every step needs to know about it (its linked languages, its live session). */
  private async lockRequest(m: EntityManager, id: string): Promise<RequestRow | null> {
    const [r] = await m.query(prepared(`${LOCK_REQUEST} WHERE r.id = $1 FOR UPDATE OF r`), [id]);
    return r ?? null;
  }

  /** Locks the request of an offer (hers, if `interpreterId` is given); NOT_FOUND if there is none. */
  private async lockRequestOfOffer(m: EntityManager, offerId: string, interpreterId?: string): Promise<RequestRow> {
    const [r] = await m.query(prepared(`${LOCK_REQUEST} WHERE r.id = (SELECT request_id FROM offers WHERE id = $1 AND ($2::uuid IS NULL OR interpreter_id = $2)) FOR UPDATE OF r`), [
      offerId,
      interpreterId ?? null,
    ]);
    if (!r) throw new NotFoundException('no such offer');
    return r;
  }

  private async dropJobs(ids: string[]) {
    await Promise.all(
      ids.map(async (id) => {
        const job = await this.queue.getJob(id);
        await job?.remove().catch(() => undefined);
      }),
    );
  }
}

/**
 * The request row as steps lock it, with its linked languages read in the same statement (catalogue data:
 * reading it on a snapshot older than the lock is harmless). Anything that changes under the lock (its
 * offers, its session) is read by the statements after it, which see the latest committed state.
 */
const LOCK_REQUEST = `SELECT r.*, extract(epoch FROM now() - r.queued_at)::float8 AS waited_s, ${LANGUAGE_IDS('r')} AS language_ids
  FROM interpretation_requests r`;
