import { InjectQueue, Process, Processor } from '@nestjs/bull';
import { Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Job, Queue } from 'bull';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/config.schema';
import { PresenceService } from '../presence/presence.service';
import { AuditOutbox } from '../audit/audit-outbox';
import { RealtimeService, rooms } from '../realtime/realtime.service';
import { MATCHING_QUEUE, MatchingService } from './matching.service';
import { WAITING_ORDER_SQL } from './priority';

/**
 * The timers of matching, as Bull jobs in Redis so that a node restart loses none, and a sweep that one
 * node runs at a time (every MATCHING_SWEEP_SECONDS, itself a Bull job): it ends requests that reached the wait
 * limit (their time in line is in PostgreSQL), expires offers whose ring-time job was lost (a node killed
 * between its commit and scheduling the job), re-dispatches waiting requests, moves audit events left in
 * the outbox, and starts the grace period of callers and interpreters whose node died under them.
 */
@Processor(MATCHING_QUEUE)
export class MatchingProcessor implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Matching');

  constructor(
    private readonly matching: MatchingService,
    private readonly presence: PresenceService,
    private readonly realtime: RealtimeService,
    private readonly config: AppConfig,
    private readonly outbox: AuditOutbox,
    @InjectDataSource() private readonly db: DataSource,
    @InjectQueue(MATCHING_QUEUE) private readonly queue: Queue,
  ) {}

  private watchdog?: NodeJS.Timeout;

  async onApplicationBootstrap() {
    await this.scheduleSweep();
    // Bull schedules a repeatable job's next run only once a node has taken the current one: a node killed
    // in between breaks the chain until Bull finds the stalled job (30 s or more). Every node re-adds it now
    // and then; the next run's job id is derived from its time slot, so while the chain is alive this is a no-op.
    this.watchdog = setInterval(
      () => void this.scheduleSweep().catch(() => undefined),
      Math.max(2000, this.config.MATCHING_SWEEP_SECONDS * 4000),
    );
    this.watchdog.unref();
  }

  onApplicationShutdown() {
    clearInterval(this.watchdog);
  }

  private scheduleSweep() {
    return this.queue.add(
      'sweep',
      {},
      {
        repeat: { every: Math.round(this.config.MATCHING_SWEEP_SECONDS * 1000) },
        jobId: 'sweep',
        removeOnComplete: true,
        removeOnFail: true,
      },
    );
  }

  @Process('offer-expire')
  expire(job: Job<{ offerId: string }>) {
    return this.matching.expireOffer(job.data.offerId);
  }

  @Process('caller-grace')
  callerGrace(job: Job<{ sub: string }>) {
    return this.matching.callerGraceOver(job.data.sub);
  }

  @Process('sweep')
  async sweep() {
    // Audit events a node did not move into the chain (it died, or its move failed). A failure here must not
    // stop the rest of the sweep.
    await this.outbox
      .flush()
      .catch((e) => this.logger.error({ err: (e as Error)?.name, code: (e as { code?: string })?.code }, 'moving audit events failed'));
    const overdueOffers: { id: string }[] = await this.db.query(
      `SELECT id FROM offers WHERE outcome IS NULL AND expires_at < now() - interval '2 seconds' LIMIT 200`,
    );
    for (const o of overdueOffers) await this.matching.expireOffer(o.id);
    // The wait limit: requests that have waited it in full since they last entered the line end unmatched.
    const overdue: { id: string }[] = await this.db.query(
      `SELECT id FROM interpretation_requests WHERE state IN ('queued','offering') AND queued_at <= now() - make_interval(secs => $1) LIMIT 200`,
      [this.config.REQUEST_WAIT_LIMIT_SECONDS],
    );
    for (const r of overdue) await this.matching.timeoutRequest(r.id);
    // Requests with a free place for an offer (queued, or an emergency ringing fewer than three) and no offer
    // made or answered for a full sweep, most urgent first, read one at a time so that a request arriving
    // meanwhile is ranked too; fresh ones are left to their own dispatch.
    for (let i = 0; i < 100; i++) {
      const [next]: { id: string }[] = await this.db.query(
        `SELECT r.id FROM interpretation_requests r WHERE r.state IN ('queued','offering')
         AND r.queued_at < now() - make_interval(secs => $1)
         AND (SELECT count(*) FROM offers o WHERE o.request_id = r.id AND o.outcome IS NULL) < ladder_at_once(r.urgency)
         AND NOT EXISTS (SELECT 1 FROM offers o WHERE o.request_id = r.id AND (o.created_at > now() - make_interval(secs => $1) OR o.decided_at > now() - make_interval(secs => $1)))
         ORDER BY ${WAITING_ORDER_SQL} OFFSET $2 LIMIT 1`,
        [this.config.MATCHING_SWEEP_SECONDS, i],
      );
      if (!next) break;
      await this.matching.dispatch(next.id);
    }
    await this.orphans();
  }

  /**
   * People whose sockets vanished with a dead node never sent a disconnect: give them their grace period.
   * Interpreters are found by their registered sockets, whatever their status (an `away` interpreter in a call
   * too); an interpreter still in a live call although gone for good (her node died after her grace period
   * ended, before it handed the call on) has her call handed on now.
   */
  private async orphans() {
    // What the registries say first, then who is really connected: a socket registered after the rooms were
    // read would be judged gone.
    const sockets = await this.presence.registeredSockets();
    const callers: { caller_sub: string }[] = await this.db.query(
      `SELECT caller_sub FROM interpretation_requests WHERE caller_sub IS NOT NULL`,
    );
    const live = await this.realtime.allRooms();
    if (live) {
      await this.presence.dropDeadSockets(sockets, live);
      for (const c of callers) if (!live.has(rooms.caller(c.caller_sub))) await this.matching.startCallerGrace(c.caller_sub);
    }
    await this.presence.endOverdueGrace();
    const inCalls: { interpreter_id: string }[] = await this.db.query(
      `SELECT DISTINCT s.interpreter_id FROM sessions s JOIN interpretation_requests r ON r.id = s.request_id
       WHERE s.ended_at IS NULL AND r.state IN ('accepted','connected')`,
    );
    for (const id of await this.presence.gone(inCalls.map((s) => s.interpreter_id))) await this.matching.interpreterLost(id);
  }
}
