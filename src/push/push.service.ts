import { InjectQueue } from '@nestjs/bull';
import { ConflictException, Inject, Injectable, Logger, NotFoundException, UnprocessableEntityException } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import type { Queue } from 'bull';
import type Redis from 'ioredis';
import { createECDH } from 'node:crypto';
import { DataSource, Repository } from 'typeorm';
import { interpreterIdOf, type Principal } from '../auth/principal';
import { AppConfig } from '../config/config.schema';
import { byKey } from '../database/by-key';
import { EventBus } from '../events/event-bus';
import { presenceKeys } from '../presence/presence.keys';
import { REDIS } from '../redis/redis.module';
import type { OfferNew } from '../realtime/realtime.contract';
import type { CreatePushSubscriptionDto } from './dto/push-subscription.dto';
import { PushSubscription } from './entities/push-subscription.entity';
import { endpointAllowed } from './push-origins';
import { sendPush, type PushVapid } from './push-sender';

export const PUSH_QUEUE = 'push';
/** Devices per interpreter: a phone, a tablet, a desktop or two; more is a script. */
export const MAX_SUBSCRIPTIONS = 10;
/** How long the marks of an offer (shown by her console; pushed) are kept: longer than any ring. */
const MARK_SECONDS = 600;

/** What a push of an offer says: the language, the matter and the urgency; nothing about the caller. */
export interface PushedOffer {
  offerId: string;
  languageId: string;
  matter: string;
  urgency: string;
  expiresAt: string;
}

/** Of what her console is told of an offer, what her phone is: not the request, nor whether she is a minor. */
function pushedOf(o: OfferNew): PushedOffer {
  return {
    offerId: o.offerId,
    // What she interprets from: a relay chain's relay leg starts from the relay language.
    languageId: o.leg === 'relay' && o.relayLanguageId ? o.relayLanguageId : o.languageId,
    matter: o.matter,
    urgency: o.urgency,
    expiresAt: o.expiresAt,
  };
}

/**
 * Offers reach an interpreter's devices by Web Push when her console cannot show them: she has no console open, or
 * her console did not say it showed the offer (`offer:seen`) within OFFER_SEEN_SECONDS (a frozen or background tab).
 * A pushed offer that closes is followed by a second push that closes its notification. Subscriptions are hers
 * (several devices), on the origins of WEB_PUSH_ALLOWED_ORIGINS only, and removed when the push service says they are
 * gone (404/410). Without a VAPID key pair nothing is pushed.
 */
@Injectable()
export class PushService {
  private readonly logger = new Logger('Push');
  private readonly vapid: PushVapid | null;

  constructor(
    @InjectRepository(PushSubscription) private readonly subscriptions: Repository<PushSubscription>,
    @InjectDataSource() private readonly db: DataSource,
    @Inject(REDIS) private readonly redis: Redis,
    @InjectQueue(PUSH_QUEUE) private readonly queue: Queue,
    private readonly config: AppConfig,
    private readonly bus: EventBus,
  ) {
    this.vapid =
      config.VAPID_PUBLIC_KEY && config.VAPID_PRIVATE_KEY
        ? { subject: config.VAPID_SUBJECT, publicKey: config.VAPID_PUBLIC_KEY, privateKey: config.VAPID_PRIVATE_KEY }
        : null;
  }

  publicKey(): { publicKey: string } {
    if (!this.vapid) throw new NotFoundException('offers by push are not set up on this server (VAPID_PUBLIC_KEY)');
    return { publicKey: this.vapid.publicKey };
  }

  /** Stores a device of hers; the same device again (its endpoint) is updated, and moves to her if it was another's. */
  async subscribe(p: Principal, dto: CreatePushSubscriptionDto): Promise<{ id: string }> {
    const interpreterId = interpreterOf(p);
    if (!endpointAllowed(dto.endpoint, this.config.WEB_PUSH_ALLOWED_ORIGINS))
      throw new UnprocessableEntityException('endpoint must be an address of a browser push service (WEB_PUSH_ALLOWED_ORIGINS)');
    if (!validDeviceKey(dto.keys.p256dh)) throw new UnprocessableEntityException('keys.p256dh is not a P-256 public key');
    if (Buffer.from(dto.keys.auth, 'base64url').length !== 16) throw new UnprocessableEntityException('keys.auth must be 16 bytes');
    const made = await this.db.transaction(async (m) => {
      // Her devices one at a time (the cap holds against concurrent requests).
      await m.query(`SELECT id FROM interpreters WHERE id = $1 FOR UPDATE`, [interpreterId]);
      const [existing] = await m.query(`SELECT id, interpreter_id FROM push_subscriptions WHERE endpoint = $1`, [dto.endpoint]);
      const keys = [dto.keys.p256dh, dto.keys.auth];
      if (existing?.interpreter_id === interpreterId) {
        await m.query(`UPDATE push_subscriptions SET p256dh = $2, auth = $3 WHERE id = $1`, [existing.id, ...keys]);
        return { id: existing.id as string, from: null };
      }
      const [{ n }] = await m.query(`SELECT count(*)::int AS n FROM push_subscriptions WHERE interpreter_id = $1`, [interpreterId]);
      if (n >= MAX_SUBSCRIPTIONS) throw new ConflictException(`at most ${MAX_SUBSCRIPTIONS} devices receive offers: remove one first`);
      if (existing) {
        // Another interpreter's browser, now hers (she logged in on it): her offers go there, the other's no longer.
        await m.query(`UPDATE push_subscriptions SET interpreter_id = $2, p256dh = $3, auth = $4 WHERE id = $1`, [
          existing.id,
          interpreterId,
          ...keys,
        ]);
        return { id: existing.id as string, from: existing.interpreter_id as string };
      }
      const [row] = await m.query(
        `INSERT INTO push_subscriptions (interpreter_id, endpoint, p256dh, auth) VALUES ($1, $2, $3, $4) RETURNING id`,
        [interpreterId, dto.endpoint, ...keys],
      );
      return { id: row.id as string, from: null };
    });
    if (made.from) await this.lostDevice(made.from);
    return { id: made.id };
  }

  async unsubscribe(p: Principal, id: string): Promise<Record<string, never>> {
    const interpreterId = interpreterOf(p);
    const done = await this.subscriptions.delete({ id, interpreterId });
    if (!done.affected) throw new NotFoundException('no such push subscription');
    await this.lostDevice(interpreterId);
    return {};
  }

  /** A device of hers went (removed, gone at its push service, taken by another): with none left, nothing reaches her. */
  private async lostDevice(interpreterId: string) {
    if (!(await this.subscriptions.exists({ where: { interpreterId } }))) await this.bus.publish('push.unreachable', interpreterId);
  }

  /**
   * An offer rang for her, and she has devices to push to (matching_dispatch says so): pushed at once if no console
   * of hers is connected; else pushed if her console has not said it showed it within OFFER_SEEN_SECONDS.
   */
  async offered(interpreterId: string, told: OfferNew): Promise<void> {
    if (!this.vapid) return;
    const offer = pushedOf(told);
    // Her sockets as presence registers them (one Redis read; a node that does not answer cannot delay it). With none,
    // nothing can show the offer but her phone: pushed now, and counted as unseen (an emergency rings the next too).
    const consoles = await this.redis.scard(presenceKeys.sockets(interpreterId)).catch(() => 1);
    if (consoles === 0) {
      await this.bus.publish('offer.unseen', offer.offerId);
      return this.pushOffer(interpreterId, offer);
    }
    await this.queue.add(
      'offer-unseen',
      { interpreterId, offer },
      { jobId: `offer-unseen:${offer.offerId}`, delay: this.config.OFFER_SEEN_SECONDS * 1000 },
    );
  }

  /** `offer:seen`: her console showed the offer. Marked under her id, so nobody else can mark hers. */
  async seen(p: Principal, offerId: string): Promise<Record<string, never>> {
    await this.redis.set(seenKey(interpreterOf(p), offerId), '1', 'EX', MARK_SECONDS);
    return {};
  }

  /** The offer-unseen job: not shown by her console, so it is pushed if it still rings (pushOffer looks). */
  async unseen(interpreterId: string, offer: PushedOffer): Promise<void> {
    if (await this.redis.exists(seenKey(interpreterId, offer.offerId))) return;
    // The next candidate of an emergency first (only an offer still ringing is marked): the push may take seconds.
    await this.bus.publish('offer.unseen', offer.offerId);
    await this.pushOffer(interpreterId, offer);
  }

  /** Whether a device of hers receives offers by push (on call needs one). */
  async reaches(interpreterId: string): Promise<boolean> {
    return !!this.vapid && (await this.subscriptions.exists({ where: { interpreterId } }));
  }

  /** On call, she let three offers ring out in a row and was set away: told on her devices why. */
  async awayAfterMissed(interpreterId: string): Promise<void> {
    if (!this.vapid) return;
    await this.deliver(
      interpreterId,
      { type: 'presence:update', status: 'away', reason: 'missed_offers' },
      { ttlSeconds: 24 * 3600, urgency: 'normal' },
    );
  }

  /**
   * An offer closed: if it was pushed to her, its notification goes. `answered`: she accepted or declined it herself
   * (it just closes); else it was taken by another, withdrawn or rang out, and her phone says she missed a call.
   */
  async closed(interpreterId: string, offerId: string, answered = false): Promise<void> {
    if (!this.vapid || !(await this.redis.del(sentKey(offerId)))) return;
    await this.deliver(
      interpreterId,
      { type: answered ? 'offer:answered' : 'offer:withdrawn', offerId },
      { ttlSeconds: 60, urgency: 'normal', topic: topicOf(offerId) },
    );
  }

  private async pushOffer(interpreterId: string, offer: PushedOffer) {
    // Marked before the last look at the offer: one that closes from here on is followed by its closing push.
    await this.redis.set(sentKey(offer.offerId), interpreterId, 'EX', MARK_SECONDS);
    const [open] = await this.db.query(`SELECT 1 FROM offers WHERE id = $1 AND ${byKey.undecided()}`, [offer.offerId]);
    if (!open) {
      await this.redis.del(sentKey(offer.offerId));
      return;
    }
    const ttlSeconds = Math.max(1, Math.round((Date.parse(offer.expiresAt) - Date.now()) / 1000));
    await this.deliver(
      interpreterId,
      { type: 'offer:new', ...offer },
      { ttlSeconds, urgency: offer.urgency === 'normal' ? 'normal' : 'high', topic: topicOf(offer.offerId) },
    );
  }

  /** To each of her devices; one that is gone (404/410) is removed. A failure is logged without the address. */
  private async deliver(interpreterId: string, message: object, options: Parameters<typeof sendPush>[2]) {
    const devices = await this.subscriptions.find({ where: { interpreterId } });
    const payload = JSON.stringify(message);
    await Promise.all(
      devices.map(async (d) => {
        if (!endpointAllowed(d.endpoint, this.config.WEB_PUSH_ALLOWED_ORIGINS)) return;
        try {
          const status = await sendPush({ endpoint: d.endpoint, keys: { p256dh: d.p256dh, auth: d.auth } }, payload, options, this.vapid!);
          if (status === 404 || status === 410) {
            await this.subscriptions.delete({ id: d.id });
            await this.lostDevice(interpreterId);
          } else if (status < 200 || status >= 300) this.logger.warn({ interpreterId, status }, 'push service refused a push');
        } catch (e) {
          this.logger.warn({ interpreterId, err: (e as Error)?.message }, 'push failed');
        }
      }),
    );
  }
}

const interpreterOf = (p: Principal) => interpreterIdOf(p, 'only interpreters are offered calls');

/** A point on P-256 (65 bytes, uncompressed): what encrypts every push to that device. */
function validDeviceKey(key: string): boolean {
  const bytes = Buffer.from(key, 'base64url');
  if (bytes.length !== 65 || bytes[0] !== 4) return false;
  try {
    const ecdh = createECDH('prime256v1');
    ecdh.generateKeys();
    ecdh.computeSecret(bytes);
    return true;
  } catch {
    return false;
  }
}

const seenKey = (interpreterId: string, offerId: string) => `push:seen:${interpreterId}:${offerId}`;
const sentKey = (offerId: string) => `push:sent:${offerId}`;
/** RFC 8030's Topic: at most 32 URL-safe characters; an offer id without its dashes is exactly that. */
const topicOf = (offerId: string) => offerId.replace(/-/g, '');
