import { InjectQueue, Process, Processor } from '@nestjs/bull';
import { Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { Job, Queue } from 'bull';
import { AppConfig } from '../config/config.schema';
import { RepeatingSweep } from '../jobs/repeating-sweep';
import { PresenceService } from '../presence/presence.service';
import { AuditOutbox } from '../audit/audit-outbox';
import { RealtimeService, rooms } from '../realtime/realtime.service';
import { MATCHING_QUEUE, MatchingService, OFFER_EXPIRE } from './matching.service';
import { MatchingRepository, OVERDUE_BATCH } from './matching.repository';

/**
 * The timers of matching, as Bull jobs in Redis so that a node restart loses none (the offers that ring out in one
 * second share one), and a sweep that one node runs at a time (every MATCHING_SWEEP_SECONDS, itself a Bull job): it
 * ends requests that reached the wait limit (their time in line is in PostgreSQL), serves relay chains not filled in
 * time by one interpreter, expires offers whose ring-time job was lost (a node killed between its commit and
 * scheduling the job), re-dispatches waiting requests, moves audit events left in the outbox, and starts the grace
 * period of callers and interpreters whose node died under them.
 */
@Processor(MATCHING_QUEUE)
export class MatchingProcessor implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Matching');
  private readonly sweeps: RepeatingSweep;

  constructor(
    private readonly matching: MatchingService,
    private readonly presence: PresenceService,
    private readonly realtime: RealtimeService,
    private readonly config: AppConfig,
    private readonly outbox: AuditOutbox,
    private readonly repo: MatchingRepository,
    @InjectQueue(MATCHING_QUEUE) queue: Queue,
  ) {
    this.sweeps = new RepeatingSweep(queue, config.MATCHING_SWEEP_SECONDS, 2000);
  }

  async onApplicationBootstrap() {
    await this.sweeps.start();
  }

  onApplicationShutdown() {
    this.sweeps.stop();
  }

  /** The offers ringing out by the end of one second (MatchingService.ringsOutAt). */
  @Process(OFFER_EXPIRE)
  async expire(job: Job<{ due?: unknown; offerId?: unknown }>) {
    const { due, offerId } = job.data ?? {};
    // One offer's own job, as a node of the previous release adds it during a rolling upgrade. (Such a node that takes
    // a job of a second finds no offer in it and does nothing: that second's offers ring out at the sweep instead.)
    if (typeof offerId === 'string') return this.matching.expireOffer(offerId);
    if (typeof due !== 'number' || !Number.isFinite(due)) return;
    // At most a few batches: a second with more is finished by the sweep.
    for (let batch = 0; batch < 5; batch++) {
      const ids = await this.repo.overdueOffers(new Date(due * 1000));
      for (const id of ids) await this.each(() => this.matching.expireOffer(id));
      if (ids.length < OVERDUE_BATCH) return;
    }
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
    for (const id of await this.repo.overdueOffers()) await this.each(() => this.matching.expireOffer(id));
    // Relay chains whose legs were not both accepted in time: one interpreter serves her instead.
    for (const id of await this.repo.relaysOverdue(this.config.RELAY_WAIT_SECONDS)) await this.each(() => this.matching.relayUnfilled(id));
    // The wait limit: requests that have waited it in full since they last entered the line end unmatched.
    for (const id of await this.repo.waitedFor(this.config.REQUEST_WAIT_LIMIT_SECONDS))
      await this.each(() => this.matching.timeoutRequest(id));
    // Requests stalled for a full sweep, read one at a time so that a request arriving meanwhile is ranked too.
    for (let i = 0; i < 100; i++) {
      const next = await this.repo.stalled(this.config.MATCHING_SWEEP_SECONDS, i);
      if (!next) break;
      await this.each(() => this.matching.dispatch(next));
    }
    await this.orphans();
  }

  /** One request's repair: its failure is logged and the sweep goes on with the others. */
  private async each(step: () => Promise<unknown>) {
    await step().catch((e) => this.logger.error({ err: (e as Error)?.name, code: (e as { code?: string })?.code }, 'a sweep step failed'));
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
    const callers = await this.repo.callersWithLiveRequests();
    const live = await this.realtime.allRooms();
    if (live) {
      await this.presence.dropDeadSockets(sockets, live);
      for (const sub of callers) if (!live.has(rooms.caller(sub))) await this.matching.startCallerGrace(sub);
    }
    await this.presence.endOverdueGrace();
    for (const id of await this.presence.gone(await this.repo.interpretersInOnDemandCalls())) await this.matching.interpreterLost(id);
  }
}
