import { InjectQueue } from '@nestjs/bull';
import { BadRequestException, ConflictException, ForbiddenException, Injectable, Logger, NotFoundException, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Queue } from 'bull';
import { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import type { AuditData } from '../audit/entities/audit-event.entity';
import { rows } from '../database/sql';
import type { Principal } from '../auth/principal';
import { AppConfig } from '../config/config.schema';
import { LanguagesService } from '../languages/languages.service';
import { PresenceService } from '../presence/presence.service';
import { RealtimeService } from '../realtime/realtime.service';
import { RostersService } from '../rosters/rosters.service';
import { roleIn, SessionsService } from '../sessions/sessions.service';
import { LadderRules, MadeOffer, offerBest, servableBy } from './candidate-finder';
import { CreateRequestDto } from './dto/create-request.dto';
import { offersAtOnce, REQUEUED_RANK, urgencyRank, WAITING_ORDER_SQL, type RequestState } from './priority';
import { withRetry } from './retry';

export const MATCHING_QUEUE = 'matching';
/** One wait-limit job per time in line: a requeued request gets a new one, the old one finds it waiting afresh. */
const waitLimitJobId = (requestId: string, queuedAt: Date) => `request-timeout:${requestId}:${new Date(queuedAt).getTime()}`;

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
  created_at: Date;
  first_offered_at: Date | null;
  accepted_at: Date | null;
  /** When she (re)entered the waiting line: the wait limit counts from here. */
  queued_at: Date;
  /** Seconds since queued_at, by the database's clock. */
  waited_s: number;
  /** Its language and those recorded as mutually intelligible with it. */
  language_ids: string[];
}

interface NewOffer {
  id: string;
  interpreterId: string;
  expiresAt: Date;
}

const iso = (d: Date | string | null | undefined) => (d ? new Date(d).toISOString() : null);

/** What an interpreter is told about a request: nothing else about the caller. */
function offerPayload(o: NewOffer, r: RequestRow) {
  return {
    offerId: o.id,
    requestId: r.id,
    languageId: r.language_id,
    matter: r.matter,
    urgency: r.urgency,
    minor: r.minor,
    expiresAt: o.expiresAt.toISOString(),
  };
}

/**
 * On-demand matching: a request climbs the escalation ladder, rings interpreters one at a time (three for
 * an emergency), and waits in the priority line when nobody suitable is free. Every guarantee is held by
 * PostgreSQL (row locks, conditional updates, unique indexes) and every timer is a Bull job, so any node
 * can carry on another's work. Lock order everywhere: the request row first, then its offers.
 */
@Injectable()
export class MatchingService implements OnModuleInit {
  private readonly logger = new Logger('Matching');

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @InjectQueue(MATCHING_QUEUE) private readonly queue: Queue,
    private readonly config: AppConfig,
    private readonly audit: AuditService,
    private readonly languages: LanguagesService,
    private readonly rosters: RostersService,
    private readonly presence: PresenceService,
    private readonly sessions: SessionsService,
    private readonly realtime: RealtimeService,
  ) {}

  onModuleInit() {
    // Serving the waiting line can take several dispatches: her `presence:set` is acknowledged without waiting.
    this.presence.on('available', (id) => this.inBackground(this.serveInterpreter(id)));
    this.presence.on('unavailable', (id) => this.withdrawOffersOf(id, 'unavailable'));
    this.presence.on('disconnected', (id) => this.withdrawOffersOf(id, 'disconnected'));
    this.presence.on('lost', (id) => this.interpreterLost(id));
    this.realtime.onConnect((p) => this.callerConnected(p));
    this.realtime.onDisconnect((p) => this.callerDisconnected(p));
  }

  // ---- caller side -------------------------------------------------------------------------------------

  async createRequest(caller: Principal, dto: CreateRequestDto): Promise<{ requestId: string; state: RequestState }> {
    const language = await this.languages.findById(dto.languageId);
    if (!language) throw new BadRequestException({ message: ['languageId is not in the catalogue'], fields: ['languageId'] });
    const created = await withRetry(() =>
      this.db.transaction(async (m) => {
        // One live request per caller: a second tap must not queue her twice.
        await m.query('SELECT pg_advisory_xact_lock(hashtext($1))', [caller.sub]);
        const [live] = await m.query(`SELECT id FROM interpretation_requests WHERE caller_sub = $1 AND state IN ('queued','offering','accepted','connected')`, [caller.sub]);
        if (live) throw new ConflictException('you already have a request in progress');
        const [row] = await m.query(
          `INSERT INTO interpretation_requests (language_id, matter, urgency, minor, prefer_female, country, caller_sub, priority)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING *`,
          [dto.languageId, dto.matter, dto.urgency, dto.minor, dto.preferFemale ?? false, dto.country ?? null, caller.sub, urgencyRank(dto.urgency)],
        );
        await this.record(m, 'request.created', row, {});
        return { id: row.id as string, queuedAt: row.queued_at as Date };
      }),
    );
    // The request exists from here on, whatever happens next: she gets its id. If its timer or its first
    // dispatch fails (Redis or PostgreSQL hiccup), the sweep dispatches it, and ends it at the wait limit.
    const id = created.id;
    try {
      await this.scheduleWaitLimit(id, created.queuedAt);
      await this.dispatch(id);
      const state = (await this.load(id))?.state ?? 'queued';
      if (state === 'queued') await this.announceLine(dto.languageId);
      return { requestId: id, state };
    } catch (e) {
      this.logger.error({ err: (e as Error)?.name, code: (e as { code?: string })?.code }, 'first dispatch failed; the sweep will dispatch the request');
      return { requestId: id, state: 'queued' };
    }
  }

  async cancelRequest(caller: Principal, requestId: string): Promise<{ state: RequestState }> {
    const r = await this.load(requestId);
    if (!r || r.caller_sub !== caller.sub) throw new NotFoundException('no such request');
    const ended = await this.finish(requestId, 'cancelled', ['queued', 'offering', 'accepted']);
    if (!ended) throw new ConflictException(`the request is ${(await this.load(requestId))?.state ?? 'gone'}`);
    return { state: 'cancelled' };
  }

  // ---- interpreter side --------------------------------------------------------------------------------

  async acceptOffer(interpreter: Principal, offerId: string): Promise<{ sessionId: string }> {
    const interpreterId = this.interpreterOf(interpreter);
    const requestId = await this.requestOfOffer(offerId, interpreterId);
    const result = await withRetry(() =>
      this.db.transaction(async (m) => {
        const r = await this.lockRequest(m, requestId);
        const [offer] = await rows(m, `UPDATE offers SET outcome = 'accepted', decided_at = now()
           WHERE id = $1 AND interpreter_id = $2 AND outcome IS NULL AND expires_at > now() RETURNING tier, created_at`,
          [offerId, interpreterId],
        );
        if (!offer || !r || r.state !== 'offering') throw new ConflictException('this offer is no longer open');
        const withdrawn: { id: string; interpreter_id: string }[] = await rows(m, `UPDATE offers SET outcome = 'withdrawn', decided_at = now() WHERE request_id = $1 AND outcome IS NULL RETURNING id, interpreter_id`,
          [requestId],
        );
        const sessionId = await this.sessions.createForRequest(m, requestId, interpreterId);
        await rows(m, `UPDATE interpretation_requests SET state = 'accepted', interpreter_id = $2, tier = $3, accepted_at = now() WHERE id = $1`, [
          requestId,
          interpreterId,
          offer.tier,
        ]);
        await this.record(m, 'offer.accepted', r, { offerId, interpreterId, tier: offer.tier, offeredAt: iso(offer.created_at), sessionId }, interpreterId);
        return { sessionId, withdrawn, r };
      }),
    );
    await this.presence.offerAnswered(interpreterId);
    await this.dropJobs([offerId, ...result.withdrawn.map((w) => w.id)].map((id) => `offer-expire:${id}`));
    for (const w of result.withdrawn) {
      this.realtime.toInterpreter(w.interpreter_id, 'offer:withdrawn', { offerId: w.id, reason: 'taken' });
      // Another won the emergency: she is free for the next request.
      this.inBackground(this.serveInterpreter(w.interpreter_id));
    }
    const who = await this.rosters.findInterpreter(interpreterId);
    if (result.r.caller_sub) {
      this.realtime.toCaller(result.r.caller_sub, 'request:update', {
        requestId,
        state: 'accepted',
        interpreter: { firstName: who?.firstName ?? '' },
        sessionId: result.sessionId,
      });
    }
    await this.announceLine(result.r.language_id);
    return { sessionId: result.sessionId };
  }

  async declineOffer(interpreter: Principal, offerId: string): Promise<Record<string, never>> {
    const interpreterId = this.interpreterOf(interpreter);
    const requestId = await this.requestOfOffer(offerId, interpreterId);
    const ok = await this.closeOffer(requestId, offerId, 'declined', interpreterId);
    if (!ok) throw new ConflictException('this offer is no longer open');
    await this.presence.offerAnswered(interpreterId);
    await this.dropJobs([`offer-expire:${offerId}`]);
    await this.dispatch(requestId);
    // She is free: the next request she can serve rings for her (not this one, for a while).
    this.inBackground(this.serveInterpreter(interpreterId));
    return {};
  }

  /** The ring-time job: an offer nobody answered expires and the next candidate is tried. */
  async expireOffer(offerId: string) {
    const [o] = await this.db.query(`SELECT request_id, interpreter_id FROM offers WHERE id = $1 AND outcome IS NULL`, [offerId]);
    if (!o) return;
    if (!(await this.closeOffer(o.request_id, offerId, 'expired'))) return;
    this.realtime.toInterpreter(o.interpreter_id, 'offer:withdrawn', { offerId, reason: 'expired' });
    await this.presence.offerMissed(o.interpreter_id);
    await this.dispatch(o.request_id);
    // Still available (one miss does not set her away): the next request she can serve rings for her.
    await this.serveInterpreter(o.interpreter_id);
  }

  /** She went away, offline or lost her connection while ringing: withdraw and try the next. */
  async withdrawOffersOf(interpreterId: string, reason: string) {
    const pending: { id: string; request_id: string }[] = await this.db.query(`SELECT id, request_id FROM offers WHERE interpreter_id = $1 AND outcome IS NULL`, [
      interpreterId,
    ]);
    for (const o of pending) {
      if (!(await this.closeOffer(o.request_id, o.id, 'withdrawn'))) continue;
      await this.dropJobs([`offer-expire:${o.id}`]);
      this.realtime.toInterpreter(interpreterId, 'offer:withdrawn', { offerId: o.id, reason });
      await this.dispatch(o.request_id);
    }
  }

  // ---- the ladder ---------------------------------------------------------------------------------------

  /**
   * Rings the best free candidates for a waiting request, as many as it may ring at once. Safe to call any
   * number of times from any node: the request row lock serialises it, and the unique index on pending
   * offers makes a busy interpreter's insert a no-op (the next candidate is tried then). Only this
   * transaction's own connection is used inside it (and Redis): a transaction that waits for a second pooled
   * connection can starve the pool under load and freeze the node.
   */
  async dispatch(requestId: string): Promise<void> {
    const made = await withRetry(() =>
      this.db.transaction(async (m) => {
        const r = await this.lockRequest(m, requestId);
        if (!r || (r.state !== 'queued' && r.state !== 'offering')) return null;
        // Redis, not the pool: fine inside the transaction, and as fresh as possible.
        const available = await this.presence.availableFor(r.language_ids);
        const offers: MadeOffer[] = [];
        for (let attempt = 0; attempt < 3; attempt++) {
          const round = await offerBest(
            m,
            { requestId, available, atOnce: offersAtOnce(r.urgency), ringSeconds: this.config.OFFER_RING_SECONDS },
            this.ladderRules,
          );
          offers.push(...round.offers);
          if (round.offers.length === round.chosen) break;
        }
        // An insert may have waited for her other offer's acceptance to commit: re-check, now that it is visible.
        const busy: { id: string }[] = offers.length
          ? await rows(
              m,
              `DELETE FROM offers o WHERE o.id = ANY ($1::uuid[]) AND EXISTS (SELECT 1 FROM sessions s WHERE s.interpreter_id = o.interpreter_id AND s.ended_at IS NULL) RETURNING id`,
              [offers.map((o) => o.id)],
            )
          : [];
        const made = offers.filter((o) => !busy.some((b) => b.id === o.id));
        if (made.length) {
          await rows(m, `UPDATE interpretation_requests SET state = 'offering', first_offered_at = coalesce(first_offered_at, now()) WHERE id = $1`, [requestId]);
          for (const o of made) {
            await this.record(m, 'offer.created', r, { offerId: o.id, interpreterId: o.interpreterId, tier: o.tier, expiresAt: iso(o.expiresAt), fromState: r.state });
          }
          return { r, offers: made, becameQueued: false };
        }
        // Nothing rings any more: back in line.
        const requeued = await rows(
          m,
          `UPDATE interpretation_requests r SET state = 'queued' WHERE id = $1 AND state = 'offering'
           AND NOT EXISTS (SELECT 1 FROM offers o WHERE o.request_id = r.id AND o.outcome IS NULL) RETURNING id`,
          [requestId],
        );
        if (requeued.length) await this.record(m, 'request.queued', r, { fromState: 'offering' });
        return { r, offers: made, becameQueued: requeued.length > 0 || r.state === 'queued' };
      }),
    );
    if (!made) return;
    for (const o of made.offers) {
      await this.queue.add('offer-expire', { offerId: o.id }, { jobId: `offer-expire:${o.id}`, delay: this.config.OFFER_RING_SECONDS * 1000 });
      this.realtime.toInterpreter(o.interpreterId, 'offer:new', offerPayload(o, made.r));
    }
    if (made.offers.length && made.r.caller_sub) {
      this.realtime.toCaller(made.r.caller_sub, 'request:update', { requestId, state: 'offering' });
    } else if (made.becameQueued) {
      await this.announceLine(made.r.language_id);
    }
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
        `SELECT 1 FROM offers WHERE interpreter_id = $1 AND outcome IS NULL UNION ALL SELECT 1 FROM sessions WHERE interpreter_id = $1 AND ended_at IS NULL`,
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
   * The wait-limit job (and the sweep): ends a request `unmatched` once it has waited the full limit since it
   * last entered the line. A job scheduled before a requeue finds the request back in line with a fresh
   * wait, and leaves it alone.
   */
  async timeoutRequest(requestId: string) {
    await this.finish(requestId, 'unmatched', ['queued', 'offering'], { waitedAtLeast: this.config.REQUEST_WAIT_LIMIT_SECONDS });
  }

  private scheduleWaitLimit(requestId: string, queuedAt: Date) {
    const delay = Math.max(0, new Date(queuedAt).getTime() + this.config.REQUEST_WAIT_LIMIT_SECONDS * 1000 - Date.now());
    return this.queue.add('request-timeout', { requestId }, { jobId: waitLimitJobId(requestId, queuedAt), delay, removeOnComplete: true, removeOnFail: true });
  }

  /**
   * Moves a request to a terminal state if it is in one of `from`: withdraws its pending offers, ends its
   * session if any, forgets the caller's token subject, and tells everyone concerned.
   */
  async finish(
    requestId: string,
    to: 'cancelled' | 'unmatched' | 'abandoned' | 'completed',
    from: RequestState[],
    only: { waitedAtLeast?: number } = {},
  ): Promise<boolean> {
    const done = await withRetry(() =>
      this.db.transaction(async (m) => {
        const r = await this.lockRequest(m, requestId);
        if (!r || !from.includes(r.state)) return null;
        if (only.waitedAtLeast !== undefined && r.waited_s < only.waitedAtLeast) return null;
        const withdrawn: { id: string; interpreter_id: string }[] = await rows(m, `UPDATE offers SET outcome = 'withdrawn', decided_at = now() WHERE request_id = $1 AND outcome IS NULL RETURNING id, interpreter_id`,
          [requestId],
        );
        const sessionId = await this.sessions.liveForRequest(m, requestId);
        const ended = sessionId ? await this.sessions.end(m, sessionId, to) : null;
        await rows(m, `UPDATE interpretation_requests SET state = $2, ended_at = now(), caller_sub = NULL WHERE id = $1`, [requestId, to]);
        await this.record(m, `request.${to}`, r, {
          from: r.state,
          firstOfferedAt: iso(r.first_offered_at),
          acceptedAt: iso(r.accepted_at),
          waitedSeconds: Math.round(r.waited_s * 1000) / 1000,
          sessionId,
        });
        return { r, withdrawn, ended };
      }),
    );
    if (!done) return false;
    await this.dropJobs([waitLimitJobId(requestId, done.r.queued_at), ...done.withdrawn.map((w) => `offer-expire:${w.id}`)]);
    for (const w of done.withdrawn) {
      this.realtime.toInterpreter(w.interpreter_id, 'offer:withdrawn', { offerId: w.id, reason: to });
      this.inBackground(this.serveInterpreter(w.interpreter_id));
    }
    if (done.r.caller_sub) this.realtime.toCaller(done.r.caller_sub, 'request:update', { requestId, state: to });
    // (Its participants hear `session:ended` from SessionsService once the end has committed.)
    if (done.ended) this.inBackground(this.serveInterpreter(done.ended.interpreterId));
    await this.announceLine(done.r.language_id);
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
    for (const { request_id: requestId } of live) {
      if (!requestId) continue;
      const done = await withRetry(() =>
        this.db.transaction(async (m) => {
          const r = await this.lockRequest(m, requestId);
          if (!r || (r.state !== 'accepted' && r.state !== 'connected')) return null;
          const sessionId = await this.sessions.liveForRequest(m, requestId);
          if (sessionId) await this.sessions.end(m, sessionId, 'interpreter_lost');
          await rows(m, `UPDATE offers SET superseded_at = now() WHERE request_id = $1 AND outcome = 'accepted' AND superseded_at IS NULL`, [requestId]);
          // Back in line with a fresh wait (the limit counts from now), ahead of everyone new.
          const [{ queued_at: queuedAt }] = await rows(
            m,
            `UPDATE interpretation_requests SET state = 'queued', interpreter_id = NULL, tier = NULL, accepted_at = NULL, priority = $2, queued_at = clock_timestamp()
             WHERE id = $1 RETURNING queued_at`,
            [requestId, REQUEUED_RANK],
          );
          await this.record(m, 'request.requeued', r, { reason: 'interpreter_lost', sessionId, requeuedAt: iso(queuedAt) });
          return { r, sessionId, queuedAt: queuedAt as Date };
        }),
      );
      if (!done) continue;
      await this.scheduleWaitLimit(requestId, done.queuedAt);
      await this.dispatch(requestId);
      await this.announceLine(done.r.language_id);
    }
  }

  /**
   * A participant left the call. The others are told; the session ends (for everyone, each told
   * `session:ended`) when the caller or the interpreter of an on-demand call leaves: the request is completed
   * and the interpreter is free again. An official leaving does not end it. Sessions of hearings (no request)
   * are ended by their booking, not here.
   */
  async sessionLeft(p: Principal, sessionId: string): Promise<Record<string, never>> {
    const s = await this.sessions.find(sessionId);
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
    const job = await this.queue.getJob(`caller-grace:${p.sub}`);
    await job?.remove().catch(() => undefined);
    const [r] = await this.db.query(
      `SELECT id, state, language_id FROM interpretation_requests WHERE caller_sub = $1 AND state IN ('queued','offering','accepted','connected')`,
      [p.sub],
    );
    if (r) await this.announceLine(r.language_id);
  }

  private async callerDisconnected(p: Principal) {
    if (p.role !== 'caller') return;
    if ((await this.realtime.countIn(`caller:${p.sub}`)) > 0) return;
    await this.startCallerGrace(p.sub);
  }

  async startCallerGrace(sub: string) {
    await this.queue.add('caller-grace', { sub }, { jobId: `caller-grace:${sub}`, delay: this.config.CALLER_GRACE_SECONDS * 1000 });
  }

  /** The caller-grace job: she did not come back, so her request is abandoned. */
  async callerGraceOver(sub: string) {
    if ((await this.realtime.countIn(`caller:${sub}`)) > 0) return;
    const live: { id: string }[] = await this.db.query(`SELECT id FROM interpretation_requests WHERE caller_sub = $1 AND state IN ('queued','offering','accepted','connected')`, [sub]);
    for (const r of live) await this.finish(r.id, 'abandoned', ['queued', 'offering', 'accepted', 'connected']);
  }

  // ---- helpers ------------------------------------------------------------------------------------------

  /** Tells every caller waiting for this language her place in line (1 = next). */
  async announceLine(languageId: string) {
    const line: { id: string; caller_sub: string | null; state: string }[] = await this.db.query(
      `SELECT id, caller_sub, state FROM interpretation_requests WHERE language_id = $1 AND state IN ('queued','offering')
       ORDER BY ${WAITING_ORDER_SQL}`,
      [languageId],
    );
    line.forEach((r, i) => {
      if (r.caller_sub) this.realtime.toCaller(r.caller_sub, 'request:update', { requestId: r.id, state: r.state, queuePosition: i + 1 });
    });
  }

  private async closeOffer(requestId: string, offerId: string, outcome: 'declined' | 'expired' | 'withdrawn', interpreterId?: string): Promise<boolean> {
    return withRetry(() =>
      this.db.transaction(async (m) => {
        const r = await this.lockRequest(m, requestId);
        const [o] = await rows(
          m,
          `UPDATE offers SET outcome = $2, decided_at = now() WHERE id = $1 AND outcome IS NULL AND ($3::uuid IS NULL OR interpreter_id = $3)
           RETURNING interpreter_id, tier, created_at`,
          [offerId, outcome, interpreterId ?? null],
        );
        if (!o || !r) return false;
        await this.record(m, `offer.${outcome}`, r, { offerId, interpreterId: o.interpreter_id, tier: o.tier, offeredAt: iso(o.created_at) });
        return true;
      }),
    );
  }

  /**
   * Appends a matching event to the audit chain inside the transaction that makes the change: pseudonymous
   * ids, the request's language, matter, urgency, country and times. Never anything about the caller.
   */
  private record(m: EntityManager, type: string, r: RequestRow, data: AuditData, interpreterId?: string) {
    return this.audit.record(
      type,
      {
        subjectId: r.id,
        country: r.country,
        ...(interpreterId ? { actorId: interpreterId, actorRole: 'interpreter' } : {}),
        data: { languageId: r.language_id, matter: r.matter, urgency: r.urgency, minor: r.minor, requestedAt: iso(r.created_at), queuedAt: iso(r.queued_at), ...data },
      },
      m,
    );
  }

  private inBackground(work: Promise<unknown>) {
    work.catch((e) => this.logger.error({ err: (e as Error)?.name, code: (e as { code?: string })?.code }, 'background dispatch failed'));
  }

  private interpreterOf(p: Principal): string {
    if (p.role !== 'interpreter' || !p.interpreterId) throw new ForbiddenException('offers are for interpreters');
    return p.interpreterId;
  }

  private async requestOfOffer(offerId: string, interpreterId: string): Promise<string> {
    const [o] = await this.db.query(`SELECT request_id FROM offers WHERE id = $1 AND interpreter_id = $2`, [offerId, interpreterId]);
    if (!o) throw new NotFoundException('no such offer');
    return o.request_id;
  }

  private async lockRequest(m: EntityManager, id: string): Promise<RequestRow | null> {
    const [r] = await m.query(
      `SELECT r.*, extract(epoch FROM now() - r.queued_at)::float8 AS waited_s,
         ARRAY[r.language_id] || ARRAY(SELECT to_language_id FROM language_links WHERE from_language_id = r.language_id
                                       UNION SELECT from_language_id FROM language_links WHERE to_language_id = r.language_id) AS language_ids
       FROM interpretation_requests r WHERE r.id = $1 FOR UPDATE OF r`,
      [id],
    );
    return r ?? null;
  }

  private async load(id: string): Promise<RequestRow | null> {
    const [r] = await this.db.query(`SELECT * FROM interpretation_requests WHERE id = $1`, [id]);
    return r ?? null;
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
