import type { ServerEvents } from '../realtime/realtime.contract';
import type { Consumer, Producer, Router, RtpCapabilities, WebRtcServer, WebRtcTransport } from 'mediasoup/node/lib/types';
import { asClientError, MediaInvalid, MediaNotFound } from './media-errors';
import type { MediaKind } from './media-policy';
import { Direction, ParticipantRole, Peer } from './peer';

/** Low enough for a weak mobile network; Opus voice needs ~24-32 kbit/s. */
export const INITIAL_OUTGOING_BITRATE = 300_000;

/** What a room tells its participants (socket-events.doc.ts). */
export type RoomEvents = Pick<ServerEvents, 'session:newProducer' | 'session:producerClosed' | 'session:participantLeft'>;

/** Delivers an event to one participant's socket, wherever she is connected. */
export type TellParticipant = <E extends keyof RoomEvents>(socketId: string, event: E, payload: RoomEvents[E]) => void;

/** A participant as the others see her when they join. */
export interface Participant {
  role: ParticipantRole;
  producers: { producerId: string; kind: MediaKind }[];
}

/**
 * A session's live call: one router on one worker, and its peers keyed by socket id. A session has five roles
 * (the caller, up to three interpreters: lead, relay leg and team partner, and the official) and a room keeps at
 * most one peer per role, so a call never has more than five participants: a second socket of the same role (she
 * rejoined) replaces the first. Everyone hears everyone: each consumes every other's producers.
 */
export class Room {
  private readonly peersBySocket = new Map<string, Peer>();

  constructor(
    readonly sessionId: string,
    readonly router: Router,
    readonly webRtcServer: WebRtcServer,
    readonly workerIndex: number,
    private readonly tell: TellParticipant,
  ) {}

  peers(): Peer[] {
    return [...this.peersBySocket.values()];
  }

  find(socketId: string): Peer | undefined {
    return this.peersBySocket.get(socketId);
  }

  /** Her peer in this room. */
  peer(socketId: string): Peer {
    const peer = this.peersBySocket.get(socketId);
    if (!peer) throw new MediaNotFound('join the session first');
    return peer;
  }

  participants(): Participant[] {
    return this.peers().map((p) => ({ role: p.role, producers: p.producers().map((pr) => ({ producerId: pr.id, kind: pr.kind })) }));
  }

  /** The distinct roles connected right now. */
  roles(): Set<ParticipantRole> {
    return new Set(this.peers().map((p) => p.role));
  }

  /**
   * She joins (or joins again): each join starts her media afresh, so a peer of the same role already in the
   * room (her dropped connection, or this very socket before a renegotiation) leaves first. Returns the
   * others as they are when she arrives.
   */
  join(socketId: string, role: ParticipantRole): Participant[] {
    const previous = new Set([this.peersBySocket.get(socketId), this.peers().find((p) => p.role === role)]);
    for (const peer of previous) if (peer) this.leave(peer.socketId);
    const others = this.participants();
    this.peersBySocket.set(socketId, new Peer(socketId, role, (peer, direction) => this.newTransport(peer, direction)));
    return others;
  }

  /** Her socket left the call: her media closes and the others are told. */
  leave(socketId: string): Peer | undefined {
    const peer = this.peersBySocket.get(socketId);
    if (!peer) return undefined;
    this.peersBySocket.delete(socketId);
    peer.close();
    this.tellOthers(peer, 'session:participantLeft', { sessionId: this.sessionId, role: peer.role });
    return peer;
  }

  async produce(peer: Peer, transportId: string, kind: MediaKind, rtpParameters: unknown): Promise<Producer> {
    const producer = await peer.produce(transportId, kind, rtpParameters);
    this.tellOthers(peer, 'session:newProducer', { sessionId: this.sessionId, producerId: producer.id, role: peer.role, kind });
    return producer;
  }

  /** Her camera on or off. Off closes her video producer; the others are told it closed. */
  setVideo(socketId: string, on: boolean): void {
    const peer = this.peer(socketId);
    const closed = peer.setVideo(on);
    if (closed)
      this.tellOthers(peer, 'session:producerClosed', {
        sessionId: this.sessionId,
        producerId: closed.id,
        role: peer.role,
        kind: closed.kind,
      });
  }

  /** Consumers are made only when a participant asks for a producer (video only if she wants it), paused. */
  async consume(socketId: string, producerId: string, rtpCapabilities: unknown): Promise<Consumer> {
    const peer = this.peer(socketId);
    const owner = this.peers().find((p) => p.producer(producerId));
    if (!owner || owner === peer) throw new MediaNotFound('no such producer in this call');
    const receivable = await asClientError('rtpCapabilities', () =>
      this.router.canConsume({ producerId, rtpCapabilities: rtpCapabilities as RtpCapabilities }),
    );
    if (!receivable) throw new MediaInvalid('rtpCapabilities', 'rtpCapabilities cannot receive this producer');
    return peer.consume(producerId, rtpCapabilities);
  }

  close(): void {
    for (const peer of this.peers()) peer.close();
    this.peersBySocket.clear();
    this.router.close();
  }

  /**
   * The router's transports belong to its participants only: no other kind of transport is ever made. The
   * media benchmark overrides this (through RoomsService.newRoom) to drive the same code with plain RTP.
   */
  protected newTransport(peer: Peer, direction: Direction): Promise<WebRtcTransport> {
    return this.router.createWebRtcTransport({
      webRtcServer: this.webRtcServer,
      enableUdp: true,
      enableTcp: true,
      preferUdp: true,
      initialAvailableOutgoingBitrate: INITIAL_OUTGOING_BITRATE,
      appData: { role: peer.role, direction },
    });
  }

  private tellOthers<E extends keyof RoomEvents>(peer: Peer, event: E, payload: RoomEvents[E]) {
    for (const socketId of this.peersBySocket.keys()) if (socketId !== peer.socketId) this.tell(socketId, event, payload);
  }
}
