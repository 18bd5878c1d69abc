import { InjectQueue } from '@nestjs/bull';
import { ConflictException, Injectable, Logger, NotFoundException, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Queue } from 'bull';
import { DataSource } from 'typeorm';
import { AuditOutbox } from '../audit/audit-outbox';
import { interpreterIdOf, type Principal } from '../auth/principal';
import { AppConfig } from '../config/config.schema';
import { PushService } from '../push/push.service';
import { EventBus } from '../events/event-bus';
import { PresenceService, type Reachable } from '../presence/presence.service';
import { DomainMetrics } from '../metrics/domain.metrics';
import type { OfferAccepted, OfferNew, OfferWithdrawnReason } from '../realtime/realtime.contract';
import { returnCodeRefused, ReturnCodesService, type ReturnCodeDraw } from '../return-codes/return-codes.service';
import type { PuenteSocket } from '../realtime/puente-socket';
import { RealtimeService } from '../realtime/realtime.service';
import { removeJobs } from '../queue/remove-jobs';
import { ANOTHER_INTERPRETER, MEDIA_FAILED } from '../sessions/end-reasons';
import { ParticipantRole, SessionParticipants, SessionsService } from '../sessions/sessions.service';
import { CreateRequestDto } from './dto/create-request.dto';
import { Accepted, type Dispatched, LadderRules, MadeOffer, MatchingRepository, type Opened } from './matching.repository';
import { urgencyRank, type RequestState } from './priority';
import { RingOutSeconds } from './ring-out-seconds';
import { EndedHere } from './ended-here';
import { withRetry } from '../database/retry';
import { PG, pgCode, pgConstraint } from '../database/pg-errors';
import { badField } from '../common/validation';

export const MATCHING_QUEUE = 'matching';
/** The job that expires the offers ringing out in one second (MatchingService.ringsOutAt). */
export const OFFER_EXPIRE = 'offer-expire';
const LADDER_CACHE_MS = 30_000;

/** A request PostgreSQL refuses as asked (hers already live, an unknown language, a return code that does not work): no retry would store it. */
const refusesRequest = (e: unknown) => [PG.UNIQUE_VIOLATION, PG.FOREIGN_KEY_VIOLATION, PG.RETURN_CODE_REFUSED].includes(pgCode(e) as never);

/** Who may ask for an interpreter now: a woman (a caller token), or an official of an institution with a woman beside her. */
export const asksForCalls = (p: Principal) => p.role === 'caller' || (p.role === 'official' && !!p.institutionId);

/** What an interpreter is told about a request: nothing else about the caller. */
function offerPayload(o: MadeOffer, r: Dispatched['request'], relayLanguageId: string | null): OfferNew {
  return {
    offerId: o.id,
    requestId: r.id,
    languageId: r.languageId,
    targetLanguageId: r.targetLanguageId,
    // One interpreter for the whole call (`direct`), or a relay chain's leg: `source` (her language into the relay
    // language), `relay` (the relay language into the target).
    leg: o.leg,
    ...(o.leg !== 'direct' && relayLanguageId && { relayLanguageId }),
    matter: r.matter,
    urgency: r.urgency,
    minor: r.minor,
    expiresAt: o.expiresAt.toISOString(),
    // She is coming back to this interpreter with her return code: that, and nothing of what was said.
    ...(r.returnTo === o.interpreterId && { returning: true as const }),
  };
}

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
  /** Ladder languages by language, for first dispatches (ladderOf). */
  private readonly ladders = new Map<string, { ids: string[]; at: number }>();
  private readonly ringOutSeconds = new RingOutSeconds();
  /** Callers whose request this node ended a moment ago: their disconnect asks nothing (EndedHere). */
  private readonly endedHere = new EndedHere();

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly repo: MatchingRepository,
    @InjectQueue(MATCHING_QUEUE) private readonly queue: Queue,
    private readonly config: AppConfig,
    private readonly presence: PresenceService,
    private readonly sessions: SessionsService,
    private readonly outbox: AuditOutbox,
    private readonly realtime: RealtimeService,
    private readonly metrics: DomainMetrics,
    private readonly push: PushService,
    private readonly bus: EventBus,
    private readonly returnCodes: ReturnCodesService,
  ) {}

  onModuleInit() {
    // An emergency's offer her console did not show (pushed to her phone meanwhile): the next candidate rings too.
    this.bus.on('offer.unseen', (offerId) => this.inBackground(this.offerUnseen(offerId)));
    // Serving the waiting line can take several dispatches: her `presence:set` is acknowledged without waiting.
    this.presence.on('available', (id) => this.inBackground(this.serveInterpreter(id)));
    this.bus.on('wrapup.over', (id) => this.inBackground(this.serveInterpreter(id)));
    // Away (or suspended): nothing rings for her and a relay leg she accepted is released. Her connection lost:
    // what rings goes at once, a relay leg she accepted only when her grace period ends without her.
    this.presence.on('unavailable', async (id) => {
      await this.withdrawOffersOf(id, 'unavailable');
      await this.releaseWaitingLegs(id, 'unavailable');
    });
    this.presence.on('disconnected', (id) => this.withdrawOffersOf(id, 'disconnected'));
    // A roster import took a language away: what rings for her that she could no longer be rung for goes (were she to
    // accept it, she would interpret what her roster no longer gives her) and the next rings; free again, she is
    // served what she speaks now (presence's own serving, on the same event, found her still ringing).
    this.bus.on('interpreter.languages_changed', async (id) => {
      const beyond = await this.repo.offersBeyondHerLanguages(id);
      if (!beyond.ringing.length && !beyond.waiting.length) return;
      await this.withdrawOffers(id, beyond.ringing, 'unavailable');
      // A chain's leg she accepted, waiting for the other leg: released, and the leg rings someone who speaks it. Read
      // again after the withdrawals: a leg she accepted in between is waiting now.
      const { waiting } = beyond.ringing.length ? await this.repo.offersBeyondHerLanguages(id) : beyond;
      await this.releaseWaitingLegs(id, 'unavailable', waiting);
      await this.serveInterpreter(id);
    });
    this.presence.on('lost', async (id) => {
      await this.releaseWaitingLegs(id, 'disconnected');
      await this.interpreterLost(id);
    });
    // Media that could not be rebuilt ended the call: the caller is served again, at the front of the line.
    this.sessions.onEnded((sessionId, reason) => {
      if (reason === MEDIA_FAILED) this.inBackground(this.requeueAfterMediaFailure(sessionId));
    });
    this.sessions.onLeave('request', (p, s, role) => this.sessionLeft(p, s, role));
    this.realtime.onConnect((p, socket) => (p.role === 'interpreter' ? this.interpreterConnected(p) : this.callerConnected(p, socket)));
    this.realtime.onDisconnect((p) => this.callerDisconnected(p));
  }

  // ---- caller side -------------------------------------------------------------------------------------

  async createRequest(caller: Principal, dto: CreateRequestDto): Promise<{ requestId: string; state: RequestState }> {
    // While she asks, the end of an earlier request of hers does not mark her as having none (EndedHere).
    const asked = this.endedHere.asking(caller.sub);
    try {
      return await this.newRequest(caller, dto);
    } finally {
      asked();
    }
  }

  private async newRequest(caller: Principal, dto: CreateRequestDto): Promise<{ requestId: string; state: RequestState }> {
    // Who is available for her ladder's languages, read before the insert, so that the request, its audit event
    // and its first dispatch are one round trip and one commit. If Redis does not answer, the request is made
    // all the same, queued: the sweep dispatches it (and ends it at the wait limit, as any other).
    let available: Reachable = { ids: [], onCall: [] };
    try {
      available = await this.presence.reachableFor(await this.ladderOf(dto.languageId));
    } catch (e) {
      this.logger.error({ err: (e as Error)?.name, code: pgCode(e) }, 'availability unknown; the request waits for the sweep');
    }
    const request = {
      languageId: dto.languageId,
      targetLanguageId: dto.targetLanguageId ?? null,
      matter: dto.matter,
      urgency: dto.urgency,
      minor: dto.minor,
      preferFemale: dto.preferFemale ?? false,
      notFromCountry: dto.notFromCountry ?? false,
      // An official's woman is where the official is, unless she says otherwise.
      country: dto.country ?? (caller.role === 'official' ? caller.country : null) ?? null,
      callerSub: caller.sub,
      priority: urgencyRank(dto.urgency),
      officialId: caller.role === 'official' ? caller.sub : null,
      returnCodeHash: dto.returnCode ? this.returnCodes.hash(dto.returnCode) : null,
    };
    let created: { id: string; dispatched: Dispatched | null };
    const timer = this.metrics.dispatchSeconds.startTimer();
    try {
      // One live request per caller (a unique index on her token subject): a second tap must not queue her twice.
      created = await withRetry(() => this.repo.createRequest(request, { available, ...this.ringTimes }, this.ladderRules)).catch(
        async (e) => {
          if (refusesRequest(e)) throw e;
          // Its first dispatch failed, and took the insert with it: the request alone, queued, for the sweep to dispatch.
          this.logger.error({ err: (e as Error)?.name, code: pgCode(e) }, 'first dispatch failed; the sweep will dispatch the request');
          return { ...(await this.repo.createQueuedRequest(request, this.ladderRules.homeCountry)), dispatched: null };
        },
      );
    } catch (e) {
      if (pgCode(e) === PG.UNIQUE_VIOLATION) throw new ConflictException('you already have a request in progress');
      if (pgCode(e) === PG.RETURN_CODE_REFUSED) throw returnCodeRefused();
      if (pgCode(e) === PG.FOREIGN_KEY_VIOLATION) {
        const field = pgConstraint(e)?.includes('target_language') ? 'targetLanguageId' : 'languageId';
        throw badField(field, `${field} is not in the catalogue`);
      }
      throw e;
    }
    timer();
    this.outbox.kick();
    // The request exists from here on, whatever happens next: she gets its id.
    let state: RequestState = created.dispatched?.state ?? 'queued';
    try {
      // Nobody free covers her target: dispatched again with who is available for a relay chain.
      if (created.dispatched?.needsRelay) state = (await this.dispatch(created.id, created.dispatched.needsRelay)) ?? state;
      else if (created.dispatched) state = await this.afterDispatch(created.dispatched);
      if (state === 'queued') await this.announceLine(dto.languageId);
    } catch (e) {
      this.logger.error({ err: (e as Error)?.name, code: pgCode(e) }, 'after the first dispatch; the sweep repairs what is missing');
    }
    return { requestId: created.id, state };
  }

  /**
   * Her ladder's languages, kept for LADDER_CACHE_MS: catalogue data that an administrator rarely changes. Only
   * the first dispatch reads them here (who is available); every later one, and the ladder itself inside
   * PostgreSQL, reads them fresh, so a link just recorded is missed at most by first dispatches for that long.
   */
  private async ladderOf(languageId: string): Promise<string[]> {
    const hit = this.ladders.get(languageId);
    if (hit && hit.at > Date.now() - LADDER_CACHE_MS) return hit.ids;
    const ids = await this.repo.ladderLanguages(languageId);
    // Bounded: unknown ids are refused by the insert, but would still be kept here.
    if (this.ladders.size >= 10_000) this.ladders.clear();
    this.ladders.set(languageId, { ids, at: Date.now() });
    return ids;
  }

  async cancelRequest(caller: Principal, requestId: string): Promise<{ state: RequestState }> {
    if (!(await this.repo.stateOf(requestId, caller.sub))) throw new NotFoundException('no such request');
    const ended = await this.finish(requestId, 'cancelled', ['queued', 'offering', 'accepted']);
    if (!ended) throw new ConflictException(`the request is ${(await this.repo.stateOf(requestId)) ?? 'gone'}`);
    return { state: 'cancelled' };
  }

  // ---- interpreter side --------------------------------------------------------------------------------

  async acceptOffer(interpreter: Principal, offerId: string): Promise<OfferAccepted> {
    const interpreterId = interpreterIdOf(interpreter, 'offers are for interpreters');
    // One round trip: the acceptance, the other offers withdrawn, the session, the request, the audit event,
    // and how long she waited (for the wait-time histogram).
    let a: Accepted;
    // Her way back to this interpreter, stored if this acceptance opens the call.
    const code = this.returnCodes.draw();
    try {
      a = await withRetry(() => this.repo.accept(offerId, interpreterId, code));
    } catch (e) {
      if (pgCode(e) === PG.UNIQUE_VIOLATION) throw new ConflictException('this interpreter is already in a session');
      throw e;
    }
    if (a.error === 'not_found') throw new NotFoundException('no such offer');
    if (a.error) throw new ConflictException('this offer is no longer open');
    this.outbox.kick();
    this.metrics.offers.inc({ outcome: 'accepted' });
    // Pushed to her phone too: its notification goes.
    this.inBackground(this.push.closed(interpreterId, offerId, true));
    this.tellWithdrawn(a.withdrawn, 'taken');
    // After the answer: what only tidies up.
    const tidy = this.presence.offerAnswered(interpreterId);
    // One leg of a relay chain: her offer holds her until the other leg accepts (offer:session then).
    if (a.waiting) {
      this.inBackground(tidy);
      // When the chain stops waiting for the other leg (RELAY_WAIT_SECONDS after it was planned; the sweep may take
      // a few seconds more): her console's bound on the wait, whatever news it misses.
      return { waiting: 'other_leg', until: new Date(Date.parse(a.relaySince) + this.config.RELAY_WAIT_SECONDS * 1000).toISOString() };
    }
    this.callOpened(a, offerId, code);
    this.inBackground(tidy);
    return { sessionId: a.sessionId };
  }

  /**
   * A call opened (matching_open): the caller told who interprets, an interpreter who accepted a relay leg earlier
   * told her call is open, the line told its new places.
   */
  private callOpened(o: Opened, acceptedOffer: string | null, code: ReturnCodeDraw, notice?: 'relay_unfilled') {
    this.metrics.waitSeconds.observe(Number(o.waitSeconds));
    if (o.callerSub) {
      this.realtime.toCaller(o.callerSub, 'request:update', {
        requestId: o.requestId,
        state: 'accepted',
        interpreter: { firstName: o.firstName ?? '' },
        interpreters: o.interpreters.map((i) => ({ firstName: i.firstName, role: i.role })),
        sessionId: o.sessionId,
        ...(notice && { notice }),
        // Stored with the call (matching_open): her way back to its lead interpreter.
        ...(o.returnCode && { returnCode: code.digits }),
      });
    }
    // Whoever accepted before the call opened (a chain's first leg; the source leg alone when the chain was not
    // filled) hears it now; the one whose acceptance opened it has it in her acknowledgement.
    for (const i of o.interpreters) {
      if (i.offerId !== acceptedOffer)
        this.realtime.toInterpreter(i.interpreterId, 'offer:session', { offerId: i.offerId, sessionId: o.sessionId });
    }
    if (o.othersWaiting) this.inBackground(this.announceLine(o.languageId));
  }

  /** An offer of hers closed before she answered it: her console is told why, and a notification of it closes. */
  private tellOfferClosed(interpreterId: string, offerId: string, reason: OfferWithdrawnReason) {
    this.realtime.toInterpreter(interpreterId, 'offer:withdrawn', { offerId, reason });
    this.inBackground(this.push.closed(interpreterId, offerId));
  }

  /** Offers closed by the system: each interpreter told why, and free for the next request. */
  private tellWithdrawn(withdrawn: { id: string; interpreterId: string }[], reason: OfferWithdrawnReason) {
    if (withdrawn.length) this.metrics.offers.inc({ outcome: 'withdrawn' }, withdrawn.length);
    for (const w of withdrawn) {
      this.tellOfferClosed(w.interpreterId, w.id, reason);
      this.inBackground(this.serveInterpreter(w.interpreterId));
    }
  }

  async declineOffer(interpreter: Principal, offerId: string): Promise<Record<string, never>> {
    const interpreterId = interpreterIdOf(interpreter, 'offers are for interpreters');
    const closed = await this.closeOffer(offerId, 'declined', interpreterId);
    if (!closed) throw new ConflictException('this offer is no longer open');
    await this.presence.offerAnswered(interpreterId);
    this.inBackground(this.push.closed(interpreterId, offerId, true));
    await this.dispatch(closed.requestId);
    // She is free: the next request she can serve rings for her (not this one, for a while).
    this.inBackground(this.serveInterpreter(interpreterId));
    return {};
  }

  /** Ring time: an offer nobody answered expires and the next candidate is tried. */
  async expireOffer(offerId: string) {
    const closed = await this.closeOffer(offerId, 'expired');
    if (!closed) return;
    this.tellOfferClosed(closed.interpreterId, offerId, 'expired');
    await this.presence.offerMissed(closed.interpreterId);
    await this.dispatch(closed.requestId);
    // Still available (one miss does not set her away): the next request she can serve rings for her.
    await this.serveInterpreter(closed.interpreterId);
  }

  private async offerUnseen(offerId: string) {
    const emergency = await this.repo.markUnseen(offerId);
    if (emergency) await this.dispatch(emergency);
  }

  /** She went away, offline or lost her connection while ringing: withdraw and try the next. */
  async withdrawOffersOf(interpreterId: string, reason: OfferWithdrawnReason) {
    await this.withdrawOffers(interpreterId, await this.repo.pendingOffersOf(interpreterId), reason);
  }

  /** These offers of hers, those still ringing, closed: she is told why and each request tries its next candidate. */
  private async withdrawOffers(interpreterId: string, offerIds: string[], reason: OfferWithdrawnReason) {
    for (const offerId of offerIds) {
      const closed = await this.closeOffer(offerId, 'withdrawn');
      if (!closed) continue;
      this.tellOfferClosed(interpreterId, offerId, reason);
      await this.dispatch(closed.requestId);
    }
  }

  /**
   * She accepted a relay chain's leg and, before its call opened, went away, did not come back within her grace period,
   * or lost its language in a roster import (`offerIds`: those legs only): her acceptance is released (she is told, if
   * she is there to hear it) and the leg rings the next.
   */
  async releaseWaitingLegs(interpreterId: string, reason: OfferWithdrawnReason, offerIds?: string[]) {
    for (const offerId of offerIds ?? (await this.repo.waitingLegsOf(interpreterId))) {
      const requestId = await withRetry(() =>
        this.db.transaction(async (m) => {
          const r = await this.repo.lockRequestOfOffer(m, offerId, interpreterId);
          if (!r || (r.state !== 'queued' && r.state !== 'offering')) return null;
          return (await this.repo.releaseLeg(m, offerId)) ? r.id : null;
        }),
      );
      if (!requestId) continue;
      this.tellOfferClosed(interpreterId, offerId, reason);
      await this.dispatch(requestId);
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
  async dispatch(requestId: string, relayLanguages?: string[]): Promise<RequestState | null> {
    const waiting = await this.repo.waitingLanguages(requestId);
    if (!waiting) return null;
    // Who is available right now, from Redis; then one round trip (matching_dispatch) that locks the request
    // and rings the best of them. Who is available for a relay chain's relay language is read only for a chain, or
    // when the dispatch says nobody free covers her target and a chain could (needsRelay: it is made again).
    const timer = this.metrics.dispatchSeconds.startTimer();
    const available = await this.presence.reachableFor(waiting.languageIds);
    const relayOf = async (ids: string[] | undefined) =>
      ids?.length ? this.presence.reachableFor((await Promise.all(ids.map((id) => this.ladderOf(id)))).flat()) : null;
    const once = (relay: Reachable | null) =>
      withRetry(() => this.repo.dispatch({ requestId, available, relay, ...this.ringTimes }, this.ladderRules));
    let made = await once(await relayOf(waiting.relayLanguageId ? [waiting.relayLanguageId] : relayLanguages));
    if (made?.needsRelay) made = await once((await relayOf(made.needsRelay)) ?? { ids: [], onCall: [] });
    timer();
    return made && this.afterDispatch(made);
  }

  /** After a dispatch committed: the interpreters rung, the caller told, the ring time started. */
  private async afterDispatch(made: Dispatched): Promise<RequestState> {
    this.outbox.kick();
    const r = made.request;
    const requestId = r.id;
    // One rung as her connection dropped (or as she went away), from what presence said a moment before: presence
    // unlists her first and then withdraws her offers, and this dispatch may have committed after that withdrawal.
    // Asked after the commit, so either the withdrawal saw the offer or this sees her unlisted; her offer is then
    // withdrawn below, and the next rings. Asked beside the rest, not before it: her console is gone (what is sent to
    // it goes nowhere) and only her phone waits for the answer.
    const unlisted = this.presence.unlisted(made.offers.map((o) => o.interpreterId)).then(
      (ids) => new Set(ids),
      (e) => {
        this.logger.error({ err: (e as Error)?.name }, 'could not ask presence who is still listed');
        return new Set<string>();
      },
    );
    const payloads = made.offers.map((o) => offerPayload(o, r, made.relayLanguageId));
    made.offers.forEach((o, i) => this.realtime.toInterpreter(o.interpreterId, 'offer:new', payloads[i]));
    if (made.noWomanFree && r.callerSub) {
      // She asked for a woman; none is free but someone else is: she chooses (keep waiting, or anyone).
      this.realtime.toCaller(r.callerSub, 'request:update', { requestId, state: made.state, noWomanFree: true });
    }
    if (made.offers.length && r.callerSub) {
      this.realtime.toCaller(r.callerSub, 'request:update', { requestId, state: 'offering' });
    } else if (made.state === 'queued' && made.was === 'offering') {
      await this.announceLine(r.languageId);
    }
    // Its ring time: longer for one on call (OFFER_RING_ONCALL_SECONDS).
    const [gone] = await Promise.all([unlisted, ...made.offers.map((o) => this.ringsOutAt(o.expiresAt))]);
    // Her devices too, if her console cannot show it (closed, frozen, in the background): language, matter, urgency.
    made.offers.forEach((o, i) => {
      if (o.push && !gone.has(o.interpreterId)) this.inBackground(this.push.offered(o.interpreterId, payloads[i]));
    });
    if (!gone.size) return made.state;
    try {
      for (const id of gone) await this.withdrawOffersOf(id, 'unavailable');
      return (await this.repo.stateOf(requestId)) ?? made.state;
    } catch (e) {
      // The dispatch is committed all the same: her offer rings out (its job is there, and the sweep's) and the next rings.
      this.logger.error({ err: (e as Error)?.name, code: pgCode(e) }, 'withdrawing an offer to one no longer listed failed');
      return made.state;
    }
  }

  /**
   * An interpreter who is free and available is offered the most urgent waiting request she can serve, at
   * once: when she becomes available (or comes back within her grace period), and whenever she is free again
   * (a call ended, she declined, an offer rang out or was withdrawn, another won an emergency). Each request
   * she could serve, in the order of the line, is dispatched until she rings or none is left; a dispatch may
   * ring someone better placed for that request, and then the next one is tried for her. `servable`: what she may be
   * offered, when it was read already (as her call ended: MatchingService.finish).
   */
  async serveInterpreter(interpreterId: string, servable?: string[]) {
    if (servable?.length === 0 || !(await this.presence.isAvailable(interpreterId))) return;
    for (const requestId of servable ?? (await this.repo.servableBy(interpreterId, this.ladderRules))) {
      await this.dispatch(requestId);
      if (await this.repo.isBusy(interpreterId)) return;
    }
  }

  private get ladderRules(): LadderRules {
    return { homeCountry: this.config.HOME_COUNTRY ?? null, retryAfterSeconds: this.config.OFFER_RING_SECONDS };
  }

  /** How long an offer rings: at her console, and on call (reachable by push only, she needs longer to answer). */
  private get ringTimes() {
    return { ringSeconds: this.config.OFFER_RING_SECONDS, ringOnCallSeconds: this.config.OFFER_RING_ONCALL_SECONDS };
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
   * A relay chain whose legs were not both accepted within RELAY_WAIT_SECONDS (the sweep finds them): she is served
   * by one interpreter instead, and the one who asked is told. Its source leg, if she accepted, has the call alone;
   * else the chain's offers go and the request is dispatched to the best single interpreter.
   */
  async relayUnfilled(requestId: string) {
    const code = this.returnCodes.draw();
    const u = await withRetry(() => this.repo.relayUnfilled(requestId, this.config.RELAY_WAIT_SECONDS, code));
    if (!u) return;
    this.outbox.kick();
    this.tellWithdrawn(u.withdrawn, 'relay_unfilled');
    if (u.opened) return this.callOpened(u.opened, null, code, 'relay_unfilled');
    // (Null: it ended meanwhile, and she was told how.)
    const state = await this.dispatch(requestId);
    if (state && u.callerSub) this.realtime.toCaller(u.callerSub, 'request:update', { requestId, state, notice: 'relay_unfilled' });
  }

  /**
   * Moves a request to a terminal state if it is in one of `from`: withdraws its pending offers, ends its
   * session if any, forgets the caller's token subject, and tells everyone concerned (the session's
   * participants hear `session:ended` from SessionsService, announced here once the end has committed).
   */
  async finish(
    requestId: string,
    to: 'cancelled' | 'unmatched' | 'abandoned' | 'completed',
    from: RequestState[],
    only: { waitedAtLeast?: number } = {},
  ): Promise<boolean> {
    // One round trip, the request row locked inside it.
    const done = await withRetry(() => this.repo.finish(requestId, to, from, only.waitedAtLeast ?? null, this.ladderRules));
    if (!done) return false;
    this.outbox.kick();
    if (done.endedSession) this.sessions.announceEnded(done.endedSession);
    this.tellWithdrawn(done.withdrawn, to);
    if (done.callerSub) {
      this.realtime.toCaller(done.callerSub, 'request:update', { requestId, state: to });
      this.endedHere.add(done.callerSub, Date.now());
    }
    // What each may be offered was read as the call ended: most often nothing (her wrap-up time, or nobody waiting).
    for (const id of done.endedSession?.interpreterIds ?? []) this.inBackground(this.serveInterpreter(id, done.servable[id] ?? []));
    if (done.othersWaiting) await this.announceLine(done.languageId);
    return true;
  }

  /**
   * The interpreter of a live call lost her connection for longer than her grace period: the call ends for
   * her, and the caller goes back to the front of the line with the same request, for the next interpreter.
   */
  async interpreterLost(interpreterId: string) {
    for (const requestId of await this.repo.liveRequestsOf(interpreterId)) await this.requeue(requestId, 'interpreter_lost');
  }

  private async requeueAfterMediaFailure(sessionId: string) {
    const s = await this.sessions.find(sessionId);
    if (s?.requestId) await this.requeue(s.requestId, MEDIA_FAILED, [], sessionId);
  }

  /**
   * A call that cannot go on (its interpreter is gone, or its media could not be rebuilt): its live session
   * ends if it has not already, and the caller goes back to the front of the line with the same request, for
   * the next interpreter. Idempotent (every node hears of a media failure): only a request still in a call
   * is requeued.
   */
  private async requeue(
    requestId: string,
    reason: 'interpreter_lost' | typeof MEDIA_FAILED | typeof ANOTHER_INTERPRETER,
    exclude: string[] = [],
    failedSession: string | null = null,
  ): Promise<RequestState | null> {
    const done = await withRetry(() =>
      this.db.transaction(async (m) => {
        const r = await this.repo.lockRequest(m, requestId);
        if (!r || (r.state !== 'accepted' && r.state !== 'connected')) return null;
        // The news of a failed call can come late (another node's sweep, a delayed message): by then she may be in a
        // new call, which it must not end.
        const live = failedSession && (await this.sessions.liveIdOfRequest(m, requestId));
        if (live && live !== failedSession) return null;
        const ended = await this.sessions.endLiveOfRequest(m, requestId, reason, false);
        // Those she asked to replace are never offered this request again.
        if (exclude.length) await this.repo.exclude(m, requestId, exclude);
        // Back in line with a fresh wait, ahead of everyone new.
        return { r, queuedAt: await this.repo.requeue(m, requestId, ended?.id ?? null, reason) };
      }),
    );
    if (!done) return null;
    this.outbox.kick();
    const state = (await this.dispatch(requestId)) ?? 'queued';
    await this.announceLine(done.r.language_id);
    // Replaced, she is free again: the line is served to her (this request excepted).
    for (const id of exclude) this.inBackground(this.serveInterpreter(id));
    return state;
  }

  /**
   * `session:another`: the woman (or the official who asked, "interpreter now") wants another interpreter, no reason
   * asked. The call ends for its interpreters (each told only `another_interpreter`), and her request goes back to
   * the front of the line, never to be offered to them again.
   */
  async anotherInterpreter(p: Principal, sessionId: string): Promise<{ requestId: string; state: RequestState }> {
    const s = await this.sessions.find(sessionId);
    const role = s && !s.endedAt ? await this.sessions.participantRole(sessionId, p) : null;
    if (!s?.requestId || !role || role !== (s.byOfficial ? 'official' : 'caller')) throw new NotFoundException('no such call of yours');
    const state = await this.requeue(
      s.requestId,
      ANOTHER_INTERPRETER,
      s.interpreters.map((i) => i.id),
    );
    if (!state) throw new ConflictException('this call is no longer going on');
    return { requestId: s.requestId, state };
  }

  /** `request:choose`: she asked for a woman and none is free; she takes whoever is free first. */
  async chooseAnyInterpreter(caller: Principal, requestId: string): Promise<{ state: RequestState }> {
    if (!(await this.repo.stateOf(requestId, caller.sub))) throw new NotFoundException('no such request');
    if (!(await this.repo.chooseAny(requestId))) throw new ConflictException('this request is not waiting for a woman interpreter');
    return { state: (await this.dispatch(requestId)) ?? ((await this.repo.stateOf(requestId)) as RequestState) };
  }

  /**
   * A participant left an on-demand call (SessionsService has told the others): the session ends (for everyone,
   * each told `session:ended`) when the caller or the interpreter leaves: the request is completed and the
   * interpreter is free again. An official leaving ends it only if she asked for it (interpreter now).
   */
  private async sessionLeft(p: Principal, s: SessionParticipants, role: ParticipantRole) {
    // Who asked (the woman, or the official of "interpreter now") or the lead interpreter; not a woman's own phone
    // added to an official's call by code, nor a relay or team interpreter.
    const asker = s.byOfficial ? 'official' : 'caller';
    if (!s.requestId || (role !== asker && role !== 'interpreter')) return;
    // Both often hang up at once: SessionsService.leave answers the second from the first one's end.
    await this.finish(s.requestId, 'completed', ['accepted', 'connected']);
  }

  // ---- callers coming and going -------------------------------------------------------------------------

  /** Back with a live request (a reconnection): her grace period ends and she hears her place in line. */
  private async callerConnected(p: Principal, socket: PuenteSocket) {
    // A new call's first connection has no request yet: one round trip per call spared (BENCHMARKS.md, "Stop 35").
    if (!asksForCalls(p) || socket.data.fresh) return;
    const languageId = await this.repo.languageOfCaller(p.sub);
    if (!languageId) return;
    await removeJobs(this.queue, [`caller-grace:${p.sub}`]);
    await this.announceLine(languageId);
  }

  /**
   * An interpreter's console connected (a reload, a network back, a node restarted under it): the on-demand call she
   * accepted is hers to join, though the news that it opened (`offer:session`, a relay chain's) may have found her
   * gone. Told again; a console already in that call ignores it. So are her offers still ringing.
   */
  private async interpreterConnected(p: Principal) {
    if (!p.interpreterId) return;
    for (const c of await this.repo.openCallsOf(p.interpreterId))
      this.realtime.toInterpreter(p.interpreterId, 'offer:session', { offerId: c.offer_id, sessionId: c.session_id });
    // On call, an offer rings on her phone with no console open: the console she opens (from its notification) shows it.
    for (const r of await this.repo.ringingOffersOf(p.interpreterId))
      this.realtime.toInterpreter(p.interpreterId, 'offer:new', offerPayload(r.offer, r.request, r.relayLanguageId));
  }

  private async callerDisconnected(p: Principal) {
    if (!asksForCalls(p) || this.endedHere.take(p.sub, Date.now())) return;
    // Only a caller with a live request (her token subject is kept only then) has anything to lose.
    if (!(await this.repo.languageOfCaller(p.sub)) || (await this.realtime.countIn(`caller:${p.sub}`)) > 0) return;
    await this.startCallerGrace(p.sub);
  }

  async startCallerGrace(sub: string) {
    await this.queue.add('caller-grace', { sub }, { jobId: `caller-grace:${sub}`, delay: this.config.CALLER_GRACE_SECONDS * 1000 });
  }

  /** The caller-grace job: she did not come back, so her request is abandoned. */
  async callerGraceOver(sub: string) {
    if ((await this.realtime.countIn(`caller:${sub}`)) > 0) return;
    for (const id of await this.repo.requestsOfCaller(sub))
      await this.finish(id, 'abandoned', ['queued', 'offering', 'accepted', 'connected']);
  }

  // ---- helpers ------------------------------------------------------------------------------------------

  /** Tells every caller waiting for this language her place in line (1 = next). */
  async announceLine(languageId: string) {
    const line = await this.repo.line(languageId);
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
        // Her own offer must exist (NOT_FOUND); one closed by the system may be gone already.
        const r = await this.repo.lockRequestOfOffer(m, offerId, interpreterId ?? null);
        if (!r && interpreterId) throw new NotFoundException('no such offer');
        if (!r) return null;
        const closedBy = await this.repo.closeOffer(m, offerId, outcome, r.id);
        return closedBy ? { requestId: r.id, interpreterId: closedBy } : null;
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

  /**
   * Every offer ringing out within one second shares a Bull job (`offer-expire:<second>`: Bull keeps the first of an
   * id, whichever node adds it), run at the end of that second: it expires whatever rings out by then
   * (MatchingProcessor.expire); the sweep expires an offer whose job a dying node never added. A job of its own per
   * offer, added and removed again when she answered, cost the node and Redis about 15 commands per offer
   * (BENCHMARKS.md, "Stop 39"); an answered offer leaves nothing to remove, and this node adds each second's once.
   */
  private ringsOutAt(expiresAt: Date) {
    // The next whole second, strictly after: PostgreSQL's time has microseconds, which the Date here has lost.
    const second = Math.floor(expiresAt.getTime() / 1000) + 1;
    const now = Date.now();
    return this.ringOutSeconds.once(second, now, () =>
      this.queue.add(
        OFFER_EXPIRE,
        { due: second },
        // A failed read is tried again, rather than leaving the second's offers to the sweep.
        { jobId: `${OFFER_EXPIRE}:${second}`, delay: Math.max(0, second * 1000 - now), attempts: 3, backoff: 1000 },
      ),
    );
  }
}
