import { BadRequestException, ConflictException, Injectable, Logger, NotFoundException, OnModuleInit } from '@nestjs/common';
import type { DtlsParameters, Router, RtpCapabilities, RtpParameters, WebRtcServer, WebRtcTransport } from 'mediasoup/node/lib/types';
import { validateRtpParameters } from 'mediasoup/node/lib/ortc';
import type { Principal } from '../auth/principal';
import { AppConfig } from '../config/config.schema';
import { RealtimeService, rooms } from '../realtime/realtime.service';
import { SessionsService } from '../sessions/sessions.service';
import { iceServersFor } from './ice-servers';
import { MediaService } from './media.service';
import { MAX_INCOMING_BITRATE, MAX_PRODUCERS_PER_KIND, MAX_TRANSPORTS_PER_DIRECTION, MediaKind, producerViolation } from './media-policy';
import { Direction, Peer } from './peer';
import { Room } from './room';
import { MEDIA_FAILED } from '../sessions/end-reasons';
import { SessionRecord } from './session-record';
import { badField } from '../common/validation';

export const sessionRoom = rooms.session;

/** How long a session whose worker died waits for a worker to rebuild on before it is ended. */
export const REBUILD_DEADLINE_MS = 10_000;
const REBUILD_RETRY_MS = 200;

/**
 * mediasoup refuses malformed parameters with a TypeError (from its Node layer, or from the worker, which
 * appends the channel method it was answering), and parameters no router codec matches with an
 * UnsupportedError: that is the client's error, not ours.
 */
async function asClientError<T>(what: string, fn: () => Promise<T> | T): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof TypeError || (e as Error)?.name === 'UnsupportedError') {
      const reason = (e as Error).message.replace(/ \[method:[\w.]+\]$/, '');
      throw badField(what, `${what}: ${reason}`);
    }
    throw e;
  }
}

/**
 * The live calls hosted on this node: a Room (one router) per session, a Peer per connected participant.
 * Only a session's participants may join it; everything a client names (transport, producer, consumer)
 * must be its own or in its own room.
 *
 * Caps: one peer per role (so at most three participants), one send and one receive transport per peer,
 * one audio and one video producer per peer, Opus as media-policy.ts describes it, and each send
 * transport's incoming estimate capped at MAX_INCOMING_BITRATE. Video only once she turned it on.
 */
@Injectable()
export class RoomsService implements OnModuleInit {
  private readonly logger = new Logger('Rooms');
  private readonly rooms = new Map<string, Room>();
  private readonly opening = new Map<string, Promise<Room>>();

  constructor(
    private readonly media: MediaService,
    private readonly sessions: SessionsService,
    private readonly record: SessionRecord,
    private readonly realtime: RealtimeService,
    private readonly config: AppConfig,
  ) {}

  onModuleInit() {
    this.sessions.onEnded((id) => this.closeRoom(id));
    this.media.onWorkerDied(({ index }) => void this.moveOffWorker(index));
  }

  /**
   * A worker died: its routers are gone. Each of its sessions gets a new router (on a surviving worker, or
   * on the replacement once it is up), and its participants are told to join again and renegotiate; the
   * session, its id and its metadata carry on untouched. A session that finds no worker within
   * REBUILD_DEADLINE_MS ends (`media_failed`), and its participants are told it ended.
   */
  private async moveOffWorker(workerIndex: number) {
    const affected = [...this.rooms.values()].filter((r) => r.workerIndex === workerIndex);
    await Promise.all(affected.map((room) => this.rebuild(room).catch((e: Error) => this.logger.error({ err: e.name }, 'rebuilding a session failed'))));
  }

  private async rebuild(room: Room) {
    const { sessionId } = room;
    const participants = [...room.peers.keys()];
    this.rooms.delete(sessionId);
    room.close();
    let rebuilt: Room | null = null;
    try {
      rebuilt = await this.openWhenAWorkerIsUp(sessionId);
    } catch (e) {
      this.logger.error({ err: (e as Error).name }, 'could not rebuild a session after its worker died');
    }
    if (rebuilt && (await this.sessions.find(sessionId))?.endedAt) {
      // It ended (someone left) while it was being rebuilt.
      this.closeRoom(sessionId);
      return;
    }
    if (rebuilt) {
      this.logger.warn(`session media rebuilt on worker ${rebuilt.workerIndex} after worker ${room.workerIndex} died`);
      for (const socketId of participants) this.realtime.emit(socketId, 'session:mediaRestart', { sessionId, reason: 'worker_died' });
      return;
    }
    const ended = await this.record.endUnrecoverable(sessionId).catch((e: Error) => {
      this.logger.error({ err: e.name }, 'could not end a session whose media is lost');
      return false;
    });
    if (ended) for (const socketId of participants) this.realtime.emit(socketId, 'session:ended', { sessionId, reason: MEDIA_FAILED });
  }

  private async openWhenAWorkerIsUp(sessionId: string): Promise<Room> {
    const deadline = Date.now() + REBUILD_DEADLINE_MS;
    for (;;) {
      try {
        return await this.open(sessionId);
      } catch (e) {
        if (Date.now() >= deadline) throw e;
        await new Promise((r) => setTimeout(r, REBUILD_RETRY_MS));
      }
    }
  }

  /**
   * Joins (or joins again) a session's call. Each join starts her media afresh: a peer of the same role
   * already in the room (her dropped connection, or this very socket before a renegotiation) is replaced.
   */
  async join(p: Principal, socketId: string, sessionId: string) {
    const role = await this.sessions.participantRole(sessionId, p);
    if (!role) throw new NotFoundException('no such session');
    const room = await this.open(sessionId);
    const previous = [room.peers.get(socketId), room.peerOfRole(role)].filter((x): x is Peer => !!x);
    for (const peer of new Set(previous)) this.leave(peer.socketId, sessionId);
    const others = room.participants();
    room.add(socketId, role);
    await this.record.joined(sessionId, role);
    if (room.roles().size >= 2) await this.record.started(sessionId);
    return {
      routerRtpCapabilities: room.router.rtpCapabilities,
      iceServers: iceServersFor(this.config),
      participants: others,
    };
  }

  async createTransport(socketId: string, sessionId: string, direction: Direction) {
    const { room, peer } = this.peerIn(socketId, sessionId);
    if (peer.transportsFor(direction).length + (peer.creatingTransports.has(direction) ? 1 : 0) >= MAX_TRANSPORTS_PER_DIRECTION) {
      throw new ConflictException(`a ${direction} transport already exists: join again to start afresh`);
    }
    peer.creatingTransports.add(direction);
    let transport: WebRtcTransport;
    try {
      transport = await room.createTransport(peer, direction);
      await transport.setMaxIncomingBitrate(MAX_INCOMING_BITRATE);
    } finally {
      peer.creatingTransports.delete(direction);
    }
    if (peer.closed) {
      // She left (or joined again) while it was being made.
      transport.close();
      throw new NotFoundException('join the session first');
    }
    peer.transports.set(transport.id, transport);
    transport.observer.once('close', () => peer.transports.delete(transport.id));
    return { id: transport.id, iceParameters: transport.iceParameters, iceCandidates: transport.iceCandidates, dtlsParameters: transport.dtlsParameters };
  }

  async connectTransport(socketId: string, transportId: string, dtlsParameters: unknown) {
    const { transport } = this.transportOf(socketId, transportId);
    if (transport.appData.connectRequested) throw new ConflictException('this transport is already connected');
    transport.appData.connectRequested = true;
    try {
      await asClientError('dtlsParameters', () => transport.connect({ dtlsParameters: dtlsParameters as DtlsParameters }));
    } catch (e) {
      transport.appData.connectRequested = false;
      throw e;
    }
    return {};
  }

  /** Her camera on or off. Off closes her video producer; the others are told it closed. */
  setVideo(socketId: string, sessionId: string, on: boolean) {
    const { room, peer } = this.peerIn(socketId, sessionId);
    peer.video = on;
    if (!on) for (const producer of peer.producersOf('video')) this.closeProducer(room, peer, producer.id);
    return { video: on };
  }

  async produce(socketId: string, transportId: string, kind: MediaKind, rtpParameters: unknown) {
    const { room, peer, transport } = this.transportOf(socketId, transportId);
    if (transport.appData.direction !== 'send') throw badField('transportId', 'transportId is not a send transport');
    if (kind === 'video' && !peer.video) throw new ConflictException('turn video on first (media:video)');
    // mediasoup's own validation first (it fills in defaults), then what a voice call needs.
    const params = structuredClone(rtpParameters) as RtpParameters;
    try {
      validateRtpParameters(params);
    } catch (e) {
      if (e instanceof TypeError) throw new BadRequestException({ message: [`rtpParameters: ${e.message}`], fields: ['rtpParameters'] });
      throw e;
    }
    const violation = producerViolation(kind, params);
    if (violation) throw new BadRequestException({ message: [`${violation.field}: ${violation.message}`], fields: [violation.field] });
    // Counted before the first await, so that a burst of requests cannot pass the cap together.
    if (peer.producersOf(kind).length + (peer.creatingProducers.has(kind) ? 1 : 0) >= MAX_PRODUCERS_PER_KIND) {
      throw new ConflictException(`${kind === 'audio' ? 'an audio' : 'a video'} producer already exists`);
    }
    peer.creatingProducers.add(kind);
    let producer;
    try {
      producer = await asClientError('rtpParameters', () => transport.produce({ kind, rtpParameters: params }));
    } finally {
      peer.creatingProducers.delete(kind);
    }
    if (peer.closed || (kind === 'video' && !peer.video)) {
      producer.close();
      throw peer.closed ? new NotFoundException('join the session first') : new ConflictException('video was turned off');
    }
    peer.producers.set(producer.id, producer);
    producer.observer.once('close', () => peer.producers.delete(producer.id));
    for (const [id] of room.peers) {
      if (id !== socketId) this.realtime.emit(id, 'session:newProducer', { sessionId: room.sessionId, producerId: producer.id, role: peer.role, kind });
    }
    return { producerId: producer.id };
  }

  /** Consumers are made only when a participant asks for a producer (video only if she wants it), paused. */
  async consume(socketId: string, sessionId: string, producerId: string, rtpCapabilities: unknown) {
    const { room, peer } = this.peerIn(socketId, sessionId);
    const owner = [...room.peers.values()].find((p) => p.producers.has(producerId));
    if (!owner || owner === peer) throw new NotFoundException('no such producer in this call');
    const canConsume = await asClientError('rtpCapabilities', () => room.router.canConsume({ producerId, rtpCapabilities: rtpCapabilities as RtpCapabilities }));
    if (!canConsume) {
      throw new BadRequestException({ message: ['rtpCapabilities cannot receive this producer'], fields: ['rtpCapabilities'] });
    }
    const [transport] = peer.transportsFor('recv');
    if (!transport) throw new ConflictException('create a recv transport first');
    if ([...peer.consumers.values()].some((c) => c.producerId === producerId)) throw new ConflictException('already consuming this producer');
    const consumer = await asClientError('rtpCapabilities', () =>
      transport.consume({ producerId, rtpCapabilities: rtpCapabilities as RtpCapabilities, paused: true }),
    );
    peer.consumers.set(consumer.id, consumer);
    consumer.observer.once('close', () => peer.consumers.delete(consumer.id));
    return { consumerId: consumer.id, producerId, kind: consumer.kind, rtpParameters: consumer.rtpParameters };
  }

  async resumeConsumer(socketId: string, consumerId: string) {
    for (const room of this.rooms.values()) {
      const consumer = room.peers.get(socketId)?.consumers.get(consumerId);
      if (consumer) {
        await consumer.resume();
        return {};
      }
    }
    throw new NotFoundException('no such consumer');
  }

  async restartIce(socketId: string, transportId: string) {
    const { transport } = this.transportOf(socketId, transportId);
    return { iceParameters: await transport.restartIce() };
  }

  /** A participant's socket left the call (leave, disconnect, a rejoin): close her media and tell the others. */
  leave(socketId: string, sessionId?: string) {
    for (const room of this.rooms.values()) {
      if (sessionId && room.sessionId !== sessionId) continue;
      const peer = room.remove(socketId);
      if (!peer) continue;
      for (const [id] of room.peers) this.realtime.emit(id, 'session:participantLeft', { sessionId: room.sessionId, role: peer.role });
    }
  }

  /**
   * What a session's router holds, as the worker itself reports it (`router.dump()`, and the WebRtcServer's
   * own list of the transports it serves), matched against the participants' transports, producers and
   * consumers: for tests and operators. Ids and states only, never media.
   */
  async inspect(sessionId: string) {
    const room = this.rooms.get(sessionId);
    if (!room) return null;
    const peers = [...room.peers.values()];
    const held = await Promise.all(
      peers.flatMap((p) =>
        [...p.transports.values()].map(async (t) => ({
          id: t.id,
          role: p.role,
          kind: t.constructor.name,
          direction: t.appData.direction as Direction,
          remotePort: t.iceSelectedTuple?.remotePort ?? null,
          iceUsernameFragment: t.iceParameters.usernameFragment,
          maxIncomingBitrate: (await t.getStats().catch(() => []))[0]?.maxIncomingBitrate ?? null,
        })),
      ),
    );
    const dump = (await room.router.dump()) as { transportIds: string[]; rtpObserverIds: string[]; mapProducerIdConsumerIds: Record<string, string[]> };
    const server = (await room.webRtcServer.dump()) as { webRtcTransportIds: string[]; localIceUsernameFragments: { localIceUsernameFragment: string; webRtcTransportId: string }[] };
    // Read after the dumps: the worker sends its close notifications (a consumer whose producer left) before
    // it answers a dump, so this side's maps are then at least as new as what the worker reported.
    const producers = peers.flatMap((p) => [...p.producers.values()].map((pr) => ({ id: pr.id, role: p.role, kind: pr.kind, paused: pr.paused })));
    const consumers = peers.flatMap((p) =>
      [...p.consumers.values()].map((c) => ({ id: c.id, role: p.role, producerId: c.producerId, kind: c.kind, paused: c.paused })),
    );
    const mine = new Set(dump.transportIds);
    return {
      workerIndex: room.workerIndex,
      workerPid: this.media.worker(room.workerIndex)?.pid ?? null,
      roles: peers.map((p) => p.role),
      held,
      producers,
      consumers,
      routerTransportIds: dump.transportIds,
      routerRtpObserverIds: dump.rtpObserverIds,
      routerProducerIds: Object.keys(dump.mapProducerIdConsumerIds),
      routerConsumerIds: Object.values(dump.mapProducerIdConsumerIds).flat(),
      /** The WebRtcServer's ICE username fragments for this router's transports (old and new during an ICE restart). */
      iceUsernameFragments: server.localIceUsernameFragments.filter((f) => mine.has(f.webRtcTransportId)),
      webRtcServerTransportIds: server.webRtcTransportIds.filter((id) => mine.has(id)),
    };
  }

  /** Bytes each producer received and each consumer sent so far, from the worker's stats (for tests and operators). */
  async traffic(sessionId: string): Promise<Map<string, number> | null> {
    const room = this.rooms.get(sessionId);
    if (!room) return null;
    const out = new Map<string, number>();
    const bytes = (stats: { type: string; byteCount: number }[], type: string) => stats.filter((s) => s.type === type).reduce((sum, s) => sum + s.byteCount, 0);
    for (const peer of room.peers.values()) {
      for (const p of peer.producers.values()) out.set(p.id, bytes(await p.getStats().catch(() => []), 'inbound-rtp'));
      for (const c of peer.consumers.values()) out.set(c.id, bytes(await c.getStats().catch(() => []), 'outbound-rtp'));
    }
    return out;
  }

  closeRoom(sessionId: string) {
    const room = this.rooms.get(sessionId);
    if (!room) return;
    this.rooms.delete(sessionId);
    room.close();
  }

  private closeProducer(room: Room, peer: Peer, producerId: string) {
    const producer = peer.producers.get(producerId);
    if (!producer) return;
    producer.close();
    peer.producers.delete(producerId);
    for (const [id] of room.peers) {
      if (id !== peer.socketId) this.realtime.emit(id, 'session:producerClosed', { sessionId: room.sessionId, producerId, role: peer.role, kind: producer.kind });
    }
  }

  /**
   * The Room of a session. The application only ever makes this one (WebRTC transports only); the media
   * benchmark subclasses RoomsService and Room to drive this same code with plain-RTP load generators.
   */
  protected newRoom(sessionId: string, router: Router, webRtcServer: WebRtcServer, workerIndex: number): Room {
    return new Room(sessionId, router, webRtcServer, workerIndex);
  }

  private async open(sessionId: string): Promise<Room> {
    const existing = this.rooms.get(sessionId);
    if (existing && !existing.router.closed) return existing;
    let pending = this.opening.get(sessionId);
    if (!pending) {
      pending = this.media.createRouter().then(({ router, workerIndex, webRtcServer }) => {
        const room = this.newRoom(sessionId, router, webRtcServer, workerIndex);
        this.rooms.set(sessionId, room);
        return room;
      });
      this.opening.set(sessionId, pending);
      pending.finally(() => this.opening.delete(sessionId)).catch(() => undefined);
    }
    return pending;
  }

  private peerIn(socketId: string, sessionId: string): { room: Room; peer: Peer } {
    const room = this.rooms.get(sessionId);
    const peer = room?.peers.get(socketId);
    if (!room || !peer) throw new NotFoundException('join the session first');
    return { room, peer };
  }

  private transportOf(socketId: string, transportId: string) {
    for (const room of this.rooms.values()) {
      const peer = room.peers.get(socketId);
      const transport = peer?.transports.get(transportId);
      if (peer && transport) return { room, peer, transport };
    }
    throw new NotFoundException('no such transport');
  }
}
