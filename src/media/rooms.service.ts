import { BadRequestException, ConflictException, Injectable, Logger, NotFoundException, OnModuleInit } from '@nestjs/common';
import type { DtlsParameters, RtpCapabilities, RtpParameters } from 'mediasoup/node/lib/types';
import type { Principal } from '../auth/principal';
import { AppConfig } from '../config/config.schema';
import { RealtimeService } from '../realtime/realtime.service';
import { SessionsService } from '../sessions/sessions.service';
import { iceServersFor } from './ice-servers';
import { MediaService } from './media.service';
import { Peer } from './peer';
import { MAX_INCOMING_BITRATE, MAX_PARTICIPANTS, MAX_TRANSPORTS_PER_PEER, Room } from './room';

export const sessionRoom = (sessionId: string) => `session:${sessionId}`;

/** mediasoup refuses malformed parameters with a TypeError: that is the client's error, not ours. */
async function asClientError<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof TypeError || (e as Error)?.name === 'UnsupportedError') {
      throw new BadRequestException({ message: [`${what}: ${(e as Error).message}`], fields: [what] });
    }
    throw e;
  }
}

/**
 * The live calls hosted on this node: a Room (one router) per session, a Peer per connected participant.
 * Only a session's participants may join it; everything a client names (transport, producer, consumer)
 * must be its own or in its own room.
 */
@Injectable()
export class RoomsService implements OnModuleInit {
  private readonly logger = new Logger('Rooms');
  private readonly rooms = new Map<string, Room>();
  private readonly opening = new Map<string, Promise<Room>>();

  constructor(
    private readonly media: MediaService,
    private readonly sessions: SessionsService,
    private readonly realtime: RealtimeService,
    private readonly config: AppConfig,
  ) {}

  onModuleInit() {
    this.sessions.onEnded((id) => this.closeRoom(id));
    this.media.onWorkerDied(({ index }) => this.moveOffWorker(index));
  }

  /**
   * A worker died: its routers are gone. Each of its sessions gets a new router (on another worker, or on
   * the replacement), and its participants are told to join again and renegotiate; the session, its id and
   * its metadata carry on untouched.
   */
  private async moveOffWorker(workerIndex: number) {
    const affected = [...this.rooms.values()].filter((r) => r.workerIndex === workerIndex);
    for (const room of affected) {
      const participants = [...room.peers.keys()];
      this.rooms.delete(room.sessionId);
      room.close();
      try {
        await this.openWhenAWorkerIsUp(room.sessionId);
      } catch (e) {
        this.logger.error({ err: (e as Error).name }, 'could not rebuild a session after a worker died');
      }
      for (const socketId of participants) this.realtime.emit(socketId, 'session:mediaRestart', { sessionId: room.sessionId, reason: 'worker_died' });
    }
  }

  private async openWhenAWorkerIsUp(sessionId: string, attempts = 50): Promise<Room> {
    for (let i = 1; ; i++) {
      try {
        return await this.open(sessionId);
      } catch (e) {
        if (i >= attempts) throw e;
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  }

  async join(p: Principal, socketId: string, sessionId: string) {
    const role = await this.sessions.participantRole(sessionId, p);
    if (!role) throw new NotFoundException('no such session');
    const room = await this.open(sessionId);
    if (!room.peers.has(socketId) && room.peers.size >= MAX_PARTICIPANTS) throw new ConflictException('this call is full');
    // A participant who rejoins (a new socket after a dropped network) replaces her old peer.
    for (const [id, peer] of room.peers) if (peer.role === role && id !== socketId) this.leave(id, sessionId);
    const others = room.participants();
    if (!room.peers.has(socketId)) room.add(socketId, role);
    await this.sessions.markStarted(sessionId);
    return {
      routerRtpCapabilities: room.router.rtpCapabilities,
      iceServers: iceServersFor(this.config, p.sub),
      participants: others,
    };
  }

  async createTransport(socketId: string, sessionId: string, direction: 'send' | 'recv') {
    const { room, peer } = this.peerIn(socketId, sessionId);
    if (peer.transports.size >= MAX_TRANSPORTS_PER_PEER) throw new ConflictException('too many transports');
    const transport = await room.createTransport(peer, direction);
    await transport.setMaxIncomingBitrate(MAX_INCOMING_BITRATE);
    peer.transports.set(transport.id, transport);
    return { id: transport.id, iceParameters: transport.iceParameters, iceCandidates: transport.iceCandidates, dtlsParameters: transport.dtlsParameters };
  }

  async connectTransport(socketId: string, transportId: string, dtlsParameters: unknown) {
    const { transport } = this.transportOf(socketId, transportId);
    await asClientError('dtlsParameters', () => transport.connect({ dtlsParameters: dtlsParameters as DtlsParameters }));
    return {};
  }

  async produce(socketId: string, transportId: string, kind: 'audio' | 'video', rtpParameters: unknown) {
    const { room, peer, transport } = this.transportOf(socketId, transportId);
    if (transport.appData.direction !== 'send') throw new BadRequestException({ message: ['transportId is not a send transport'], fields: ['transportId'] });
    const producer = await asClientError('rtpParameters', () => transport.produce({ kind, rtpParameters: rtpParameters as RtpParameters }));
    peer.producers.set(producer.id, producer);
    producer.observer.once('close', () => peer.producers.delete(producer.id));
    for (const [id] of room.peers) {
      if (id !== socketId) this.realtime.emit(id, 'session:newProducer', { sessionId: room.sessionId, producerId: producer.id, role: peer.role, kind });
    }
    return { producerId: producer.id };
  }

  async consume(socketId: string, sessionId: string, producerId: string, rtpCapabilities: unknown) {
    const { room, peer } = this.peerIn(socketId, sessionId);
    const owner = [...room.peers.values()].find((p) => p.producers.has(producerId));
    if (!owner || owner === peer) throw new NotFoundException('no such producer in this call');
    if (!room.router.canConsume({ producerId, rtpCapabilities: rtpCapabilities as RtpCapabilities })) {
      throw new BadRequestException({ message: ['rtpCapabilities cannot receive this producer'], fields: ['rtpCapabilities'] });
    }
    const transport = [...peer.transports.values()].find((t) => t.appData.direction === 'recv');
    if (!transport) throw new ConflictException('create a recv transport first');
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

  /** A participant's socket left the call (leave, disconnect): close her media and tell the others. */
  leave(socketId: string, sessionId?: string) {
    for (const room of this.rooms.values()) {
      if (sessionId && room.sessionId !== sessionId) continue;
      const peer = room.remove(socketId);
      if (!peer) continue;
      for (const [id] of room.peers) this.realtime.emit(id, 'session:participantLeft', { sessionId: room.sessionId, role: peer.role });
    }
  }

  /**
   * What a session's router holds, as the worker itself reports it (`router.dump()`), matched against the
   * participants' transports: for tests and operators.
   */
  async inspect(sessionId: string) {
    const room = this.rooms.get(sessionId);
    if (!room) return null;
    const held = [...room.peers.values()].flatMap((p) =>
      [...p.transports.values()].map((t) => ({ id: t.id, role: p.role, kind: t.constructor.name, remotePort: t.iceSelectedTuple?.remotePort ?? null })),
    );
    const dump = (await room.router.dump()) as { transportIds: string[] };
    return { held, routerTransportIds: dump.transportIds };
  }

  closeRoom(sessionId: string) {
    const room = this.rooms.get(sessionId);
    if (!room) return;
    this.rooms.delete(sessionId);
    room.close();
  }

  private async open(sessionId: string): Promise<Room> {
    const existing = this.rooms.get(sessionId);
    if (existing && !existing.router.closed) return existing;
    let pending = this.opening.get(sessionId);
    if (!pending) {
      pending = this.media.createRouter().then(({ router, workerIndex, webRtcServer }) => {
        const room = new Room(sessionId, router, webRtcServer, workerIndex);
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
