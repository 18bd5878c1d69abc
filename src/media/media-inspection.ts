import { Injectable } from '@nestjs/common';
import type { Consumer, Producer, WebRtcTransport } from 'mediasoup/node/lib/types';
import type { ParticipantRole } from './peer';
import { RoomsService } from './rooms.service';
import { WorkerPoolService } from './worker-pool.service';

/**
 * What this node's calls hold, as the worker itself reports it, for tests and operators: ids, states and
 * byte counts, never media. Not part of the module's public surface (nothing in the application calls it);
 * tests take it from the application's container.
 */
@Injectable()
export class MediaInspection {
  constructor(
    private readonly rooms: RoomsService,
    private readonly pool: WorkerPoolService,
  ) {}

  /**
   * What a session's router holds (`router.dump()`, and the WebRtcServer's own list of the transports it
   * serves), matched against the participants' transports, producers and consumers; null if no room here.
   */
  async inspect(sessionId: string) {
    const room = this.rooms.find(sessionId);
    if (!room) return null;
    const peers = room.peers();
    const held = await Promise.all(
      peers.flatMap((p) =>
        p.transports().map(async ({ direction, transport: t }) => ({
          id: t.id,
          role: p.role,
          kind: t.constructor.name,
          direction,
          remotePort: t.iceSelectedTuple?.remotePort ?? null,
          iceUsernameFragment: t.iceParameters.usernameFragment,
          maxIncomingBitrate: (await t.getStats().catch(() => []))[0]?.maxIncomingBitrate ?? null,
        })),
      ),
    );
    let dump: { transportIds: string[]; rtpObserverIds: string[]; mapProducerIdConsumerIds: Record<string, string[]> };
    let server: {
      webRtcTransportIds: string[];
      localIceUsernameFragments: { localIceUsernameFragment: string; webRtcTransportId: string }[];
    };
    try {
      dump = (await room.router.dump()) as typeof dump;
      server = (await room.webRtcServer.dump()) as typeof server;
    } catch (e) {
      // The call ended while the worker was asked (its router closed under the request): no room here any more.
      if (room.router.closed || this.rooms.find(sessionId) !== room) return null;
      throw e;
    }
    // Read after the dumps: the worker sends its close notifications (a consumer whose producer left) before
    // it answers a dump, so this side's objects are then at least as new as what the worker reported.
    const producers = peers.flatMap((p) => p.producers().map((pr) => ({ id: pr.id, role: p.role, kind: pr.kind, paused: pr.paused })));
    const consumers = peers.flatMap((p) =>
      p.consumers().map((c) => ({ id: c.id, role: p.role, producerId: c.producerId, kind: c.kind, paused: c.paused })),
    );
    const mine = new Set(dump.transportIds);
    return {
      workerIndex: room.workerIndex,
      workerPid: this.pool.worker(room.workerIndex)?.pid ?? null,
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

  /** Bytes each producer received and each consumer sent so far, from the worker's stats; null if no room here. */
  async traffic(sessionId: string): Promise<Map<string, number> | null> {
    const room = this.rooms.find(sessionId);
    if (!room) return null;
    const out = new Map<string, number>();
    const bytes = (stats: { type: string; byteCount: number }[], type: string) =>
      stats.filter((s) => s.type === type).reduce((sum, s) => sum + s.byteCount, 0);
    for (const peer of room.peers()) {
      for (const p of peer.producers()) out.set(p.id, bytes(await p.getStats().catch(() => []), 'inbound-rtp'));
      for (const c of peer.consumers()) out.set(c.id, bytes(await c.getStats().catch(() => []), 'outbound-rtp'));
    }
    return out;
  }

  /** Bytes all of a session's transports received and sent so far (ICE, DTLS and RTP alike); null if no room here. */
  async transportBytes(sessionId: string): Promise<{ received: number; sent: number } | null> {
    const room = this.rooms.find(sessionId);
    if (!room) return null;
    let received = 0;
    let sent = 0;
    for (const peer of room.peers()) {
      for (const { transport } of peer.transports()) {
        const [s] = await transport.getStats();
        received += s.bytesReceived;
        sent += s.bytesSent;
      }
    }
    return { received, sent };
  }

  /** The transports of one participant of a session hosted here (a test breaks her ICE with them). */
  transportsOf(sessionId: string, role: ParticipantRole): WebRtcTransport[] {
    return (this.rooms.find(sessionId)?.peers() ?? [])
      .filter((p) => p.role === role)
      .flatMap((p) => p.transports().map((t) => t.transport));
  }

  /** Every producer and consumer on this node (the media benchmark counts their packets). */
  everyProducerAndConsumer(): { producers: Producer[]; consumers: Consumer[] } {
    const peers = this.rooms.all().flatMap((r) => r.peers());
    return { producers: peers.flatMap((p) => p.producers()), consumers: peers.flatMap((p) => p.consumers()) };
  }
}
