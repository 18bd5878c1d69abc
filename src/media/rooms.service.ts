import type { ServerEvents } from '../realtime/realtime.contract';
import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { Principal } from '../auth/principal';
import { AppConfig } from '../config/config.schema';
import { RealtimeService } from '../realtime/realtime.service';
import { MEDIA_FAILED } from '../sessions/end-reasons';
import { SessionsService, type ParticipantRole } from '../sessions/sessions.service';
import { iceServersFor } from './ice-servers';
import { MediaNotFound } from './media-errors';
import type { MediaKind } from './media-policy';
import type { ConsumeAnswer, JoinAnswer, TransportAnswer } from './media-rpc';
import type { Direction, Peer } from './peer';
import { Room, TellParticipant } from './room';
import { CreatedRouter, WorkerPoolService } from './worker-pool.service';

/** How long a session whose worker died waits for a worker to rebuild on before it is ended. */
export const REBUILD_DEADLINE_MS = 10_000;
const REBUILD_RETRY_MS = 200;

/**
 * The live calls hosted on this node: a Room (one router) per session, which owns a Peer per connected
 * participant, and an index from each live transport to its room and peer (a transport id is all that
 * `media:connectTransport`, `media:produce` and `media:restartIce` name). Only a session's participants may
 * join it; everything a client names (transport, producer, consumer) must be its own or in its own room.
 * The rules themselves (the caps, the voice policy, video only once she turned it on) are Room's and Peer's.
 */
@Injectable()
export class RoomsService implements OnModuleInit {
  private readonly logger = new Logger('Rooms');
  private readonly rooms = new Map<string, Room>();
  private readonly opening = new Map<string, Promise<Room>>();
  private readonly transports = new Map<string, { room: Room; peer: Peer }>();
  private readonly tell: TellParticipant = (socketId, event, payload) =>
    this.realtime.emit(socketId, event, payload as ServerEvents[typeof event]);

  constructor(
    private readonly pool: WorkerPoolService,
    private readonly sessions: SessionsService,
    private readonly realtime: RealtimeService,
    private readonly config: AppConfig,
    @InjectDataSource() private readonly db: DataSource,
  ) {}

  onModuleInit() {
    this.sessions.onEnded((id) => this.closeRoom(id));
    this.pool.events.on('workerDied', ({ index }) => void this.moveOffWorker(index));
  }

  /**
   * Joins (or joins again) a session's call; the call really starts when a second party is in it, and the
   * session's record says so (metadata only: which roles took part, and when).
   */
  async join(p: Principal, socketId: string, sessionId: string): Promise<JoinAnswer> {
    const role = await this.sessions.participantRole(sessionId, p);
    if (!role) throw new MediaNotFound('no such session');
    const room = await this.open(sessionId);
    const others = room.join(socketId, role);
    await this.sessions.markJoined(sessionId, role);
    if (room.roles().size >= 2) await this.sessions.markStarted(sessionId);
    return { routerRtpCapabilities: room.router.rtpCapabilities, iceServers: iceServersFor(this.config), participants: others };
  }

  async createTransport(socketId: string, sessionId: string, direction: Direction): Promise<TransportAnswer> {
    const room = this.roomOf(sessionId);
    const peer = room.peer(socketId);
    const transport = await peer.createTransport(direction);
    if (!transport.closed) {
      this.transports.set(transport.id, { room, peer });
      transport.observer.once('close', () => this.transports.delete(transport.id));
    }
    return {
      id: transport.id,
      iceParameters: transport.iceParameters,
      iceCandidates: transport.iceCandidates,
      dtlsParameters: transport.dtlsParameters,
    };
  }

  async connectTransport(socketId: string, transportId: string, dtlsParameters: unknown): Promise<Record<string, never>> {
    await this.transportOf(socketId, transportId).peer.connectTransport(transportId, dtlsParameters);
    return {};
  }

  setVideo(socketId: string, sessionId: string, on: boolean): { video: boolean } {
    this.roomOf(sessionId).setVideo(socketId, on);
    return { video: on };
  }

  async produce(socketId: string, transportId: string, kind: MediaKind, rtpParameters: unknown): Promise<{ producerId: string }> {
    const { room, peer } = this.transportOf(socketId, transportId);
    const producer = await room.produce(peer, transportId, kind, rtpParameters);
    return { producerId: producer.id };
  }

  async consume(socketId: string, sessionId: string, producerId: string, rtpCapabilities: unknown): Promise<ConsumeAnswer> {
    const consumer = await this.roomOf(sessionId).consume(socketId, producerId, rtpCapabilities);
    return { consumerId: consumer.id, producerId, kind: consumer.kind, rtpParameters: consumer.rtpParameters };
  }

  async resumeConsumer(socketId: string, sessionId: string, consumerId: string): Promise<Record<string, never>> {
    const peer = this.rooms.get(sessionId)?.find(socketId);
    if (!peer) throw new MediaNotFound('no such consumer');
    await peer.resumeConsumer(consumerId);
    return {};
  }

  async restartIce(socketId: string, transportId: string) {
    return { iceParameters: await this.transportOf(socketId, transportId).peer.restartIce(transportId) };
  }

  /** A participant's socket left the call (leave, disconnect): close her media and tell the others. */
  leave(socketId: string, sessionId: string): void {
    this.rooms.get(sessionId)?.leave(socketId);
  }

  /** An interpreter released from the call (SessionsService.unseat): her peer leaves, the others are told. */
  evict(sessionId: string, role: ParticipantRole): void {
    const room = this.rooms.get(sessionId);
    const peer = room?.peers().find((p) => p.role === role);
    if (peer) room!.leave(peer.socketId);
  }

  closeRoom(sessionId: string): void {
    const room = this.rooms.get(sessionId);
    if (!room) return;
    this.rooms.delete(sessionId);
    room.close();
  }

  /** The room of a session hosted here, if any (for MediaInspection). */
  find(sessionId: string): Room | undefined {
    return this.rooms.get(sessionId);
  }

  /** Every room hosted here (for MediaInspection). */
  all(): Room[] {
    return [...this.rooms.values()];
  }

  /**
   * The Room of a session. The application only ever makes this one (WebRTC transports only); the media
   * benchmark subclasses RoomsService and Room to drive this same code with plain-RTP load generators.
   */
  protected newRoom(sessionId: string, { router, webRtcServer, workerIndex }: CreatedRouter, tell: TellParticipant): Room {
    return new Room(sessionId, router, webRtcServer, workerIndex, tell);
  }

  private roomOf(sessionId: string): Room {
    const room = this.rooms.get(sessionId);
    if (!room) throw new MediaNotFound('join the session first');
    return room;
  }

  private transportOf(socketId: string, transportId: string): { room: Room; peer: Peer } {
    const owner = this.transports.get(transportId);
    if (!owner || owner.peer.socketId !== socketId || owner.peer.closed) throw new MediaNotFound('no such transport');
    return owner;
  }

  private async open(sessionId: string): Promise<Room> {
    const existing = this.rooms.get(sessionId);
    if (existing && !existing.router.closed) return existing;
    let pending = this.opening.get(sessionId);
    if (!pending) {
      pending = this.pool.createRouter().then((made) => {
        const room = this.newRoom(sessionId, made, this.tell);
        this.rooms.set(sessionId, room);
        return room;
      });
      this.opening.set(sessionId, pending);
      pending.finally(() => this.opening.delete(sessionId)).catch(() => undefined);
    }
    return pending;
  }

  /**
   * A worker died: its routers are gone. Each of its sessions gets a new router (on a surviving worker, or
   * on the replacement once it is up), and its participants are told to join again and renegotiate; the
   * session, its id and its metadata carry on untouched. A session that finds no worker within
   * REBUILD_DEADLINE_MS ends (`media_failed`), and its participants are told it ended.
   */
  private async moveOffWorker(workerIndex: number) {
    const affected = this.all().filter((r) => r.workerIndex === workerIndex);
    await Promise.all(
      affected.map((room) => this.rebuild(room).catch((e: Error) => this.logger.error({ err: e.name }, 'rebuilding a session failed'))),
    );
  }

  private async rebuild(room: Room) {
    const { sessionId } = room;
    const participants = room.peers().map((p) => p.socketId);
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
    const ended = await this.endLost(sessionId).catch((e: Error) => {
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

  /** Ends a session whose media could not be rebuilt on this node; true if this ended it. */
  private async endLost(sessionId: string): Promise<boolean> {
    return !!(await this.db.transaction((m) => this.sessions.end(m, sessionId, MEDIA_FAILED)));
  }
}
