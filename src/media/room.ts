import type { Router, WebRtcServer } from 'mediasoup/node/lib/types';
import { Peer, ParticipantRole } from './peer';

export const MAX_PARTICIPANTS = 3;
export const MAX_TRANSPORTS_PER_PEER = 2;
export const MAX_INCOMING_BITRATE = 1_500_000;
/** Low enough for a weak mobile network; Opus voice needs ~24-32 kbit/s. */
export const INITIAL_OUTGOING_BITRATE = 300_000;

/** A session's live call: one router on one worker, and its peers keyed by socket id. */
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

  /** The router's transports belong to its participants only: no other kind of transport is ever made. */
  async createTransport(peer: Peer, direction: 'send' | 'recv') {
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
