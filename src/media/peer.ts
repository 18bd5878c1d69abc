import type { Consumer, Producer, WebRtcTransport } from 'mediasoup/node/lib/types';

export type ParticipantRole = 'caller' | 'interpreter' | 'official';

/** One participant's media on a session's router: her transports, producers and consumers. */
export class Peer {
  readonly transports = new Map<string, WebRtcTransport>();
  readonly producers = new Map<string, Producer>();
  readonly consumers = new Map<string, Consumer>();

  constructor(
    readonly socketId: string,
    readonly role: ParticipantRole,
  ) {}

  close() {
    // Closing a transport closes its producers and consumers.
    for (const t of this.transports.values()) t.close();
    this.transports.clear();
    this.producers.clear();
    this.consumers.clear();
  }
}
