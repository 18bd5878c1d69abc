import type { Consumer, Producer, WebRtcTransport } from 'mediasoup/node/lib/types';
import type { MediaKind } from './media-policy';

export type { ParticipantRole } from '../sessions/sessions.service';
import type { ParticipantRole } from '../sessions/sessions.service';
export type Direction = 'send' | 'recv';

/** One participant's media on a session's router: her transports, producers and consumers. */
export class Peer {
  readonly transports = new Map<string, WebRtcTransport>();
  readonly producers = new Map<string, Producer>();
  readonly consumers = new Map<string, Consumer>();
  /** Transports and producers being created right now, counted against the caps so that a burst cannot pass them. */
  readonly creatingTransports = new Set<Direction>();
  readonly creatingProducers = new Set<MediaKind>();
  /** Video only once she turned it on (`media:video`). */
  video = false;
  closed = false;

  constructor(
    readonly socketId: string,
    readonly role: ParticipantRole,
  ) {}

  transportsFor(direction: Direction): WebRtcTransport[] {
    return [...this.transports.values()].filter((t) => t.appData.direction === direction);
  }

  producersOf(kind: MediaKind): Producer[] {
    return [...this.producers.values()].filter((p) => p.kind === kind);
  }

  close() {
    this.closed = true;
    // Closing a transport closes its producers and consumers.
    for (const t of this.transports.values()) t.close();
    this.transports.clear();
    this.producers.clear();
    this.consumers.clear();
  }
}
