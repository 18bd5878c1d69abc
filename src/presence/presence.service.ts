import { InjectQueue } from '@nestjs/bull';
import { ForbiddenException, Inject, Injectable, NotFoundException, OnModuleInit } from '@nestjs/common';
import type { Queue } from 'bull';
import type Redis from 'ioredis';
import { EventEmitter } from 'node:events';
import type { Principal } from '../auth/principal';
import { AppConfig } from '../config/config.schema';
import { RealtimeService, rooms } from '../realtime/realtime.service';
import { REDIS } from '../redis/redis.module';
import { RostersService } from '../rosters/rosters.service';
import type { PresenceStatus } from './dto/set-presence.dto';
import { presenceKeys as keys } from './presence.keys';

export const PRESENCE_QUEUE = 'presence';
export const MISSED_OFFERS_LIMIT = 2;

export type PresenceEvent = 'available' | 'unavailable' | 'disconnected' | 'lost';

/**
 * Who is available, in Redis so that every node sees the same: a hash per interpreter and, per language
 * row, the set of interpreters available for it (matching reads those sets). A dropped connection keeps
 * her state for a grace period (a Bull delayed job, so a node restart does not lose it).
 */
@Injectable()
export class PresenceService implements OnModuleInit {
  private readonly events = new EventEmitter();

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @InjectQueue(PRESENCE_QUEUE) private readonly queue: Queue,
    private readonly rosters: RostersService,
    private readonly realtime: RealtimeService,
    private readonly config: AppConfig,
  ) {}

  onModuleInit() {
    this.realtime.onConnect((p) => this.connected(p));
    this.realtime.onDisconnect((p) => this.disconnected(p));
  }

  /**
   * Matching listens: `available` to serve the waiting line, `unavailable`/`disconnected` to withdraw offers,
   * `lost` (her grace period ran out) to hand her call to the next interpreter.
   */
  on(event: PresenceEvent, listener: (interpreterId: string) => void | Promise<void>) {
    this.events.on(event, listener);
  }

  async set(interpreterId: string, status: PresenceStatus, reason?: string): Promise<PresenceStatus> {
    const profile = await this.rosters.presenceProfile(interpreterId);
    if (!profile) throw new NotFoundException('this interpreter is not in a roster');
    if (status === 'available' && profile.status !== 'active') throw new ForbiddenException('a suspended interpreter cannot be available');
    const before = await this.redis.hget(keys.interpreter(interpreterId), 'languages');
    const tx = this.redis.multi();
    for (const l of (before ?? '').split(',').filter(Boolean)) tx.srem(keys.availableFor(l), interpreterId);
    tx.srem(keys.available(), interpreterId);
    if (status === 'available') {
      for (const l of profile.languageIds) tx.sadd(keys.availableFor(l), interpreterId);
      tx.sadd(keys.available(), interpreterId);
      tx.del(keys.missed(interpreterId));
    }
    tx.hset(keys.interpreter(interpreterId), { status, languages: profile.languageIds.join(','), since: new Date().toISOString() });
    await tx.exec();
    this.realtime.toInterpreter(interpreterId, 'presence:update', { status, ...(reason ? { reason } : {}) });
    await this.fire(status === 'available' ? 'available' : 'unavailable', interpreterId);
    return status;
  }

  async status(interpreterId: string): Promise<PresenceStatus> {
    return ((await this.redis.hget(keys.interpreter(interpreterId), 'status')) as PresenceStatus | null) ?? 'offline';
  }

  /** Interpreters available for any of these language rows. */
  async availableFor(languageIds: string[]): Promise<string[]> {
    if (!languageIds.length) return [];
    return this.redis.sunion(...languageIds.map(keys.availableFor));
  }

  async allAvailable(): Promise<string[]> {
    return this.redis.smembers(keys.available());
  }

  /** An offer she let ring out; after two in a row she is set away and told why. */
  async offerMissed(interpreterId: string) {
    const missed = await this.redis.incr(keys.missed(interpreterId));
    await this.redis.expire(keys.missed(interpreterId), 24 * 3600);
    if (missed >= MISSED_OFFERS_LIMIT && (await this.status(interpreterId)) === 'available') {
      await this.set(interpreterId, 'away', 'missed_offers');
    }
  }

  async offerAnswered(interpreterId: string) {
    await this.redis.del(keys.missed(interpreterId));
  }

  /** Starts her grace period unless a socket of hers is connected somewhere (used after a node died, too). */
  async startGrace(interpreterId: string) {
    await this.queue.add(
      'grace',
      { interpreterId },
      { jobId: `grace:${interpreterId}`, delay: this.config.INTERPRETER_GRACE_SECONDS * 1000, removeOnComplete: true, removeOnFail: true },
    );
  }

  /** The grace job: offline if she has not come back. */
  async graceOver(interpreterId: string) {
    if ((await this.realtime.countIn(rooms.interpreter(interpreterId))) > 0) return;
    if ((await this.status(interpreterId)) !== 'offline') await this.set(interpreterId, 'offline', 'disconnected');
    // Gone for good: a call she was in must go on with someone else.
    await this.fire('lost', interpreterId);
  }


  private async connected(p: Principal) {
    if (p.role !== 'interpreter' || !p.interpreterId) return;
    const job = await this.queue.getJob(`grace:${p.interpreterId}`);
    await job?.remove().catch(() => undefined);
    this.realtime.toInterpreter(p.interpreterId, 'presence:update', { status: await this.status(p.interpreterId) });
  }

  private async disconnected(p: Principal) {
    if (p.role !== 'interpreter' || !p.interpreterId) return;
    if ((await this.realtime.countIn(rooms.interpreter(p.interpreterId))) > 0) return;
    await this.fire('disconnected', p.interpreterId);
    if ((await this.status(p.interpreterId)) !== 'offline') await this.startGrace(p.interpreterId);
  }

  private async fire(event: PresenceEvent, interpreterId: string) {
    for (const l of this.events.listeners(event)) await (l as (id: string) => unknown)(interpreterId);
  }
}
