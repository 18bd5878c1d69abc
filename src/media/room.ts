import type { Router, WebRtcServer } from 'mediasoup/node/lib/types';
import { Direction, Peer, ParticipantRole } from './peer';

/** Low enough for a weak mobile network; Opus voice needs ~24-32 kbit/s. */
export const INITIAL_OUTGOING_BITRATE = 300_000;

/**
 * A session's live call: one router on one worker, and its peers keyed by socket id. A session has three
 * roles (caller, interpreter, official) and a room keeps at most one peer per role, so a call never has
 * more than three participants: a second socket of the same role (she rejoined) replaces the first.
 */
export class Room {
  readonly peers = new Map<string, Peer>();

  constructor(
    readonly sessionId: string,
    readonly router: Router,
    readonly webRtcServer: WebRtcServer,
    readonly workerIndex: number,
  ) {}

  participants() {
    return [...this.peers.values()].map((p) => ({
      role: p.role,
      producers: [...p.producers.values()].map((pr) => ({ producerId: pr.id, kind: pr.kind })),
    }));
  }

  /** The distinct roles connected right now. */
  roles(): Set<ParticipantRole> {
    return new Set([...this.peers.values()].map((p) => p.role));
  }

  peerOfRole(role: ParticipantRole): Peer | undefined {
    return [...this.peers.values()].find((p) => p.role === role);
  }

  /** The router's transports belong to its participants only: no other kind of transport is ever made. */
  async createTransport(peer: Peer, direction: Direction) {
    return this.router.createWebRtcTransport({
      webRtcServer: this.webRtcServer,
      enableUdp: true,
      enableTcp: true,
      preferUdp: true,
      initialAvailableOutgoingBitrate: INITIAL_OUTGOING_BITRATE,
      appData: { socketId: peer.socketId, role: peer.role, direction },
    });
  }

  add(socketId: string, role: ParticipantRole): Peer {
    const peer = new Peer(socketId, role);
    this.peers.set(socketId, peer);
    return peer;
  }

  remove(socketId: string): Peer | undefined {
    const peer = this.peers.get(socketId);
    peer?.close();
    this.peers.delete(socketId);
    return peer;
  }

  close() {
    for (const p of this.peers.values()) p.close();
    this.peers.clear();
    this.router.close();
  }
}
