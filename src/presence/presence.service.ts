import { InjectQueue } from '@nestjs/bull';
import { ConflictException, ForbiddenException, Inject, Injectable, Logger, NotFoundException, OnModuleInit } from '@nestjs/common';
import type { Queue } from 'bull';
import type Redis from 'ioredis';
import { randomUUID } from 'node:crypto';
import type { Socket } from 'socket.io';
import type { Principal } from '../auth/principal';
import { AppConfig } from '../config/config.schema';
import { EventBus } from '../events/event-bus';
import type { PresenceChangeReason } from '../realtime/realtime.contract';
import { RealtimeService } from '../realtime/realtime.service';
import { REDIS } from '../redis/redis.module';
import { RostersService } from '../rosters/rosters.service';
import { PushService } from '../push/push.service';
import { WrapupService } from '../wrapup/wrapup.service';
import type { PresenceStatus } from './dto/set-presence.dto';
import { presenceKeys as keys } from './presence.keys';
import { definePresenceScripts, PresenceScripts } from './presence.scripts';
import { removeJobs } from '../queue/remove-jobs';

export const PRESENCE_QUEUE = 'presence';
export const MISSED_OFFERS_LIMIT = 2;
/** On call, offers reach her phone: three rung out in a row set her away (and she is told by push). */
export const MISSED_OFFERS_LIMIT_ON_CALL = 3;
const MISSED_TTL_SECONDS = 24 * 3600;

/** Who can be rung now for some languages (reachableFor): `ids`, of whom `onCall` by push only. */
export interface Reachable {
  ids: string[];
  onCall: string[];
}

export type PresenceEvent = 'available' | 'unavailable' | 'disconnected' | 'lost';

/** Her languages as presence lists them: in one order, so that two reads of the same roster entry compare equal. */
const languageList = (ids: string[]) => [...ids].sort().join(',');
/** Listings relistLatest makes before it gives up (each one needs another commit of her entry in between). */
const RELIST_ROUNDS = 5;

/**
 * Who is available, in Redis so that every node sees the same: a hash per interpreter, the sockets through
 * which she is connected (on any node), and per language row the set of interpreters available for it
 * (matching reads those sets). Only a connected interpreter is listed as available. When her last socket
 * goes, her grace period starts: she keeps her status but is offered nothing; coming back within it lists
 * her again, and when it ends (a Bull delayed job, so a node restart does not lose it) she is offline.
 * Every change is one Lua script (presence.scripts.ts), so no two steps of it can interleave with another's.
 */
@Injectable()
export class PresenceService implements OnModuleInit {
  private readonly logger = new Logger('Presence');
  private readonly redis: Redis & PresenceScripts;
  private readonly prefix: string;

  constructor(
    @Inject(REDIS) redis: Redis,
    @InjectQueue(PRESENCE_QUEUE) private readonly queue: Queue,
    private readonly rosters: RostersService,
    private readonly realtime: RealtimeService,
    private readonly config: AppConfig,
    private readonly bus: EventBus,
    private readonly push: PushService,
    private readonly wrapup: WrapupService,
  ) {
    this.redis = definePresenceScripts(redis);
    this.prefix = `${config.REDIS_PREFIX}:`;
  }

  onModuleInit() {
    this.realtime.onConnect((p, socket) => this.connected(p, socket));
    this.realtime.onDisconnect((p, socket) => this.disconnected(p, socket));
    this.bus.on('interpreter.suspended', (id) => this.suspended(id));
    this.bus.on('push.unreachable', (id) => this.unreachable(id));
    this.bus.on('interpreter.languages_changed', (id) => this.languagesChanged(id));
  }

  /**
   * Matching listens: `available` to serve the waiting line, `unavailable`/`disconnected` to withdraw offers,
   * `lost` (her grace period ran out) to hand her call to the next interpreter.
   */
  on(event: PresenceEvent, listener: (interpreterId: string) => void | Promise<void>) {
    this.bus.on(`presence.${event}`, listener);
  }

  async set(interpreterId: string, status: PresenceStatus, reason?: PresenceChangeReason): Promise<PresenceStatus> {
    const profile = await this.rosters.presenceProfile(interpreterId);
    if (!profile) throw new NotFoundException('this interpreter is not in a roster');
    if ((status === 'available' || status === 'on_call') && profile.status !== 'active')
      throw new ForbiddenException('a suspended interpreter cannot be available');
    // On call, offers reach her only by push: a device of hers must receive them.
    if (status === 'on_call' && !(await this.push.reaches(interpreterId)))
      throw new ConflictException('on call, offers reach you by push only: turn on calls by push on a device first');
    const languages = languageList(profile.languageIds);
    await this.redis.presenceSet(
      keys.interpreter(interpreterId),
      keys.missed(interpreterId),
      this.prefix,
      interpreterId,
      status,
      languages,
      new Date().toISOString(),
    );
    // A roster import that committed between the read above and this write found her not yet listed, and left her.
    if ((status === 'available' || status === 'on_call') && (await this.relistLatest(interpreterId, languages)) === 'suspended')
      return this.set(interpreterId, 'away', 'suspended');
    this.tell(interpreterId, status, reason);
    // Ready before her wrap-up time after a call is over (at her console, or on call): it ends, and the line is served
    // to her below.
    if (status === 'available' || status === 'on_call') await this.wrapup.end(interpreterId);
    // On call is reachable too: the waiting line is served to her (by push) as to one at her console.
    await this.fire(status === 'available' || status === 'on_call' ? 'available' : 'unavailable', interpreterId);
    return status;
  }

  /** Her roster admin suspended her: if she is available she is set away and told why (her offers are withdrawn). */
  private async suspended(interpreterId: string) {
    const status = await this.status(interpreterId);
    if (status === 'available' || status === 'on_call') await this.set(interpreterId, 'away', 'suspended');
  }

  /** On call, her last device that received offers by push is gone: nothing could reach her, so she is away. */
  private async unreachable(interpreterId: string) {
    if ((await this.status(interpreterId)) === 'on_call') await this.set(interpreterId, 'away', 'unreachable');
  }

  /**
   * A roster import changed her languages: if she can be rung, she is listed under the new ones at once (not only when
   * she next sets her status) and served the waiting line, which may hold someone she now speaks for.
   */
  private async languagesChanged(interpreterId: string) {
    const status = await this.status(interpreterId);
    if (status !== 'available' && status !== 'on_call') return;
    const relisted = await this.relistLatest(interpreterId, null);
    if (relisted === 'suspended') await this.set(interpreterId, 'away', 'suspended');
    else if (relisted === 'listed') await this.fire('available', interpreterId);
  }

  /**
   * Lists her (if she can be rung) under her languages as the roster has them now, until a read after the write finds
   * them unchanged. Reading PostgreSQL and writing Redis are two steps: two imports of her entry moments apart, or an
   * import and her own status change, could otherwise leave the earlier languages listed, written last. Whoever reads
   * last reads the last commit, and writes it again if it is not what it wrote itself. `written`: what the caller listed
   * her under already (null: nothing yet). `listed` if she is listed and her languages were written here; `suspended` if
   * her entry is no longer active (a suspension that committed after her own "available" read it, and that found her
   * not yet listed): the caller sets her away. Never throws: what is listed stands, and the next import's own follow-up
   * or her next status change lists her anew.
   */
  private async relistLatest(interpreterId: string, written: string | null): Promise<'listed' | 'unlisted' | 'suspended'> {
    let listed = false;
    try {
      // Every write is followed by a read; bounded, as each round needs another commit of her entry in between.
      for (let round = 0; ; round++) {
        const profile = await this.rosters.presenceProfile(interpreterId);
        if (!profile) break;
        if (profile.status !== 'active') return 'suspended';
        const languages = languageList(profile.languageIds);
        if (languages === written) break;
        if (round === RELIST_ROUNDS) {
          // Her entry changed at every read: the import that changed it last relists her after its own commit.
          this.logger.warn({ rounds: RELIST_ROUNDS }, 'roster entry kept changing while presence listed her languages');
          break;
        }
        listed = (await this.redis.presenceRelist(keys.interpreter(interpreterId), this.prefix, interpreterId, languages)) === 1 || listed;
        written = languages;
      }
    } catch (e) {
      this.logger.error({ err: (e as Error)?.name }, 'could not read her roster entry again after listing her');
    }
    return listed ? 'listed' : 'unlisted';
  }

  async status(interpreterId: string): Promise<PresenceStatus> {
    return ((await this.redis.hget(keys.interpreter(interpreterId), 'status')) as PresenceStatus | null) ?? 'offline';
  }

  /**
   * Who can be rung right now for any of these language rows: those available at their console (connected, and set
   * available) and those on call (reachable by push only), who are also listed apart.
   */
  async reachableFor(languageIds: string[]): Promise<Reachable> {
    if (!languageIds.length) return { ids: [], onCall: [] };
    const res = await this.redis
      .pipeline([
        ['sunion', ...languageIds.map(keys.availableFor)],
        ['sunion', ...languageIds.map(keys.onCallFor)],
      ])
      .exec();
    const [available, onCall] = (res ?? []).map(([e, v]) => {
      if (e) throw e;
      return v as string[];
    });
    return { ids: onCall.length ? [...new Set([...available, ...onCall])] : available, onCall };
  }

  /** Whether she can be rung right now (available at a connected console, or on call). */
  async isAvailable(interpreterId: string): Promise<boolean> {
    return (await this.unlisted([interpreterId])).length === 0;
  }

  /** Of these interpreters, those who cannot be rung right now (not isAvailable), in one round trip. */
  async unlisted(interpreterIds: string[]): Promise<string[]> {
    if (!interpreterIds.length) return [];
    const listed = await this.redis.smismember(keys.available(), ...interpreterIds);
    return interpreterIds.filter((_, i) => listed[i] !== 1);
  }

  /** An offer she let ring out; after two in a row (three on call) she is set away and told why (on call, by push). */
  async offerMissed(interpreterId: string) {
    const away = await this.redis.presenceMissed(
      keys.interpreter(interpreterId),
      keys.missed(interpreterId),
      this.prefix,
      interpreterId,
      MISSED_OFFERS_LIMIT,
      MISSED_TTL_SECONDS,
      new Date().toISOString(),
      MISSED_OFFERS_LIMIT_ON_CALL,
    );
    if (!away) return;
    this.tell(interpreterId, 'away', 'missed_offers');
    if (away === 2) await this.push.awayAfterMissed(interpreterId);
    await this.fire('unavailable', interpreterId);
  }

  async offerAnswered(interpreterId: string) {
    await this.redis.del(keys.missed(interpreterId));
  }

  /**
   * The grace job (and the sweep, with no epoch, for grace periods that started before `cutoff`): offline
   * if she has not come back. Whether she came back is decided in the same Lua script that sets her offline.
   */
  async graceOver(interpreterId: string, epoch = '', cutoff = Date.now()) {
    const over = await this.redis.presenceGraceOver(
      keys.interpreter(interpreterId),
      keys.sockets(interpreterId),
      keys.down(),
      this.prefix,
      interpreterId,
      epoch,
      cutoff,
      new Date().toISOString(),
    );
    if (!over) return;
    this.tell(interpreterId, 'offline', 'disconnected');
    await this.fire('unavailable', interpreterId);
    // Gone for good: a call she was in must go on with someone else.
    await this.fire('lost', interpreterId);
  }

  /**
   * The sweep's repair of what a dead node left behind, in two steps: first the sockets registered for each
   * connected interpreter; then, given the rooms live nodes really have (read after, so that a socket
   * registered meanwhile is not judged), those of a node that no longer has them are dropped, as if they
   * had disconnected (so a grace period starts).
   */
  async registeredSockets(): Promise<Map<string, string[]>> {
    const flat = await this.redis.presenceSockets(keys.connected(), this.prefix);
    const out = new Map<string, string[]>();
    for (let i = 0; i + 1 < flat.length; i += 2) out.set(flat[i], [...(out.get(flat[i]) ?? []), flat[i + 1]]);
    return out;
  }

  async dropDeadSockets(registered: Map<string, string[]>, liveRooms: Set<string>) {
    for (const [id, socketIds] of registered) {
      for (const socketId of socketIds) if (!liveRooms.has(socketId)) await this.socketGone(id, socketId);
    }
  }

  /** Grace periods whose job was lost (a node died with it) end here, a little late. */
  async endOverdueGrace() {
    const cutoff = Date.now() - this.config.INTERPRETER_GRACE_SECONDS * 1000 - 2000;
    for (const id of await this.redis.zrangebyscore(keys.down(), '-inf', cutoff)) await this.graceOver(id, '', cutoff);
  }

  /** Of these interpreters, those with no socket anywhere and no grace period running: gone. */
  async gone(interpreterIds: string[]): Promise<string[]> {
    if (!interpreterIds.length) return [];
    const res = await this.redis
      .pipeline(
        interpreterIds.flatMap((id) => [
          ['scard', keys.sockets(id)],
          ['hexists', keys.interpreter(id), 'down'],
        ]),
      )
      .exec();
    return interpreterIds.filter((_, i) => res?.[2 * i]?.[1] === 0 && res?.[2 * i + 1]?.[1] === 0);
  }

  private async connected(p: Principal, socket: Socket) {
    if (p.role !== 'interpreter' || !p.interpreterId) return;
    const id = p.interpreterId;
    const [status, epoch] = await this.redis.presenceConnect(
      keys.interpreter(id),
      keys.sockets(id),
      keys.connected(),
      keys.down(),
      this.prefix,
      id,
      socket.id,
    );
    if (epoch) await removeJobs(this.queue, [graceJobId(id, epoch)]);
    this.tell(id, status as PresenceStatus);
    // Back within her grace period and available: she is listed again, and served at once.
    if (epoch && status === 'available') await this.fire('available', id);
  }

  private async disconnected(p: Principal, socket: Socket) {
    if (p.role !== 'interpreter' || !p.interpreterId) return;
    await this.socketGone(p.interpreterId, socket.id);
  }

  /** One of her sockets is gone; if it was the last, offers are withdrawn and her grace period starts. */
  private async socketGone(interpreterId: string, socketId: string) {
    const epoch = randomUUID();
    const last = await this.redis.presenceDisconnect(
      keys.interpreter(interpreterId),
      keys.sockets(interpreterId),
      keys.connected(),
      keys.down(),
      this.prefix,
      interpreterId,
      socketId,
      epoch,
      Date.now(),
    );
    if (!last) return;
    await this.fire('disconnected', interpreterId);
    await this.queue.add(
      'grace',
      { interpreterId, epoch },
      {
        jobId: graceJobId(interpreterId, epoch),
        delay: this.config.INTERPRETER_GRACE_SECONDS * 1000,
        removeOnComplete: true,
        removeOnFail: true,
      },
    );
  }

  private tell(interpreterId: string, status: PresenceStatus, reason?: PresenceChangeReason) {
    this.realtime.toInterpreter(interpreterId, 'presence:update', { status, ...(reason ? { reason } : {}) });
  }

  /** Waits for the listeners: their work (withdrawing her offers) is part of the change. */
  private async fire(event: PresenceEvent, interpreterId: string) {
    await this.bus.publish(`presence.${event}`, interpreterId);
  }
}

const graceJobId = (interpreterId: string, epoch: string) => `grace:${interpreterId}:${epoch}`;
