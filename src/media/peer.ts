import type {
  Consumer,
  DtlsParameters,
  IceParameters,
  Producer,
  RtpCapabilities,
  RtpParameters,
  WebRtcTransport,
} from 'mediasoup/node/lib/types';
import { validateRtpParameters } from 'mediasoup/node/lib/ortc';
import type { ParticipantRole } from '../sessions/sessions.service';
import { asClientError, MediaConflict, MediaInvalid, MediaNotFound } from './media-errors';
import { MAX_INCOMING_BITRATE, MediaKind, producerViolation } from './media-policy';

export type { ParticipantRole };
export type Direction = 'send' | 'recv';

/** Makes one of her transports on the room's router (the Room decides which kind of transport that is). */
export type TransportMaker = (peer: Peer, direction: Direction) => Promise<WebRtcTransport>;

const JOIN_FIRST = 'join the session first';

/**
 * One participant's media on a session's router: at most one send and one receive transport, one audio and
 * one video producer, and one consumer per producer she receives. Everything she names must be hers: an
 * unknown id is a MediaNotFound, a second of anything a MediaConflict.
 *
 * A slot is taken before the first await of the call that fills it, so that a burst of the same request
 * cannot pass a cap together; and whatever was being made when she left (or joined again) is closed.
 */
export class Peer {
  private readonly transportsByDirection = new Map<Direction, WebRtcTransport>();
  private readonly makingTransports = new Set<Direction>();
  /** Transports whose connect she asked for: DTLS connects once. */
  private readonly connecting = new Set<WebRtcTransport>();
  private readonly producersByKind = new Map<MediaKind, Producer>();
  private readonly makingProducers = new Set<MediaKind>();
  private readonly consumersById = new Map<string, Consumer>();
  /** Producer ids whose consumer is being made. */
  private readonly makingConsumers = new Set<string>();
  private videoOn = false;
  private isClosed = false;

  constructor(
    readonly socketId: string,
    readonly role: ParticipantRole,
    private readonly makeTransport: TransportMaker,
  ) {}

  get closed(): boolean {
    return this.isClosed;
  }

  /** Video only once she turned it on (`media:video`). */
  get video(): boolean {
    return this.videoOn;
  }

  transports(): { direction: Direction; transport: WebRtcTransport }[] {
    return [...this.transportsByDirection].map(([direction, transport]) => ({ direction, transport }));
  }

  producers(): Producer[] {
    return [...this.producersByKind.values()];
  }

  consumers(): Consumer[] {
    return [...this.consumersById.values()];
  }

  producer(producerId: string): Producer | undefined {
    return this.producers().find((p) => p.id === producerId);
  }

  /** Her transport of that id, and which way it carries media. */
  transport(transportId: string): { direction: Direction; transport: WebRtcTransport } {
    const found = this.transports().find((t) => t.transport.id === transportId);
    if (!found) throw new MediaNotFound('no such transport');
    return found;
  }

  async createTransport(direction: Direction): Promise<WebRtcTransport> {
    if (this.isClosed) throw new MediaNotFound(JOIN_FIRST);
    if (this.transportsByDirection.has(direction) || this.makingTransports.has(direction)) {
      throw new MediaConflict(`a ${direction} transport already exists: join again to start afresh`);
    }
    this.makingTransports.add(direction);
    let transport: WebRtcTransport | undefined;
    try {
      transport = await this.makeTransport(this, direction);
      await transport.setMaxIncomingBitrate(MAX_INCOMING_BITRATE);
    } catch (e) {
      transport?.close();
      // Her call ended meanwhile: mediasoup still hands out a transport whose router closed, then fails on it.
      throw this.isClosed ? new MediaNotFound(JOIN_FIRST) : e;
    } finally {
      this.makingTransports.delete(direction);
    }
    if (this.isClosed) {
      // She left (or joined again) while it was being made.
      transport.close();
      throw new MediaNotFound(JOIN_FIRST);
    }
    const made = transport;
    this.transportsByDirection.set(direction, made);
    made.observer.once('close', () => {
      if (this.transportsByDirection.get(direction) === made) this.transportsByDirection.delete(direction);
      this.connecting.delete(made);
    });
    return made;
  }

  async connectTransport(transportId: string, dtlsParameters: unknown): Promise<void> {
    const { transport } = this.transport(transportId);
    if (this.connecting.has(transport)) throw new MediaConflict('this transport is already connected');
    this.connecting.add(transport);
    try {
      await asClientError('dtlsParameters', () => transport.connect({ dtlsParameters: dtlsParameters as DtlsParameters }));
    } catch (e) {
      this.connecting.delete(transport);
      throw e;
    }
  }

  async restartIce(transportId: string): Promise<IceParameters> {
    return this.transport(transportId).transport.restartIce();
  }

  /** Her camera on or off; off closes her video producer, which is returned so that the others can be told. */
  setVideo(on: boolean): Producer | undefined {
    this.videoOn = on;
    if (on) return undefined;
    const producer = this.producersByKind.get('video');
    if (!producer) return undefined;
    this.producersByKind.delete('video');
    producer.close();
    return producer;
  }

  /** mediasoup's own validation first (it fills in defaults), then what a voice call needs (media-policy.ts). */
  async produce(transportId: string, kind: MediaKind, rtpParameters: unknown): Promise<Producer> {
    const { direction, transport } = this.transport(transportId);
    if (direction !== 'send') throw new MediaInvalid('transportId', 'transportId is not a send transport');
    if (kind === 'video' && !this.videoOn) throw new MediaConflict('turn video on first (media:video)');
    const params = structuredClone(rtpParameters) as RtpParameters;
    try {
      validateRtpParameters(params);
    } catch (e) {
      if (e instanceof TypeError) throw new MediaInvalid('rtpParameters', `rtpParameters: ${e.message}`);
      throw e;
    }
    const violation = producerViolation(kind, params);
    if (violation) throw new MediaInvalid(violation.field, `${violation.field}: ${violation.message}`);
    if (this.producersByKind.has(kind) || this.makingProducers.has(kind)) {
      throw new MediaConflict(`${kind === 'audio' ? 'an audio' : 'a video'} producer already exists`);
    }
    this.makingProducers.add(kind);
    let producer: Producer;
    try {
      producer = await asClientError('rtpParameters', () => transport.produce({ kind, rtpParameters: params }));
    } finally {
      this.makingProducers.delete(kind);
    }
    if (this.isClosed || (kind === 'video' && !this.videoOn)) {
      producer.close();
      throw this.isClosed ? new MediaNotFound(JOIN_FIRST) : new MediaConflict('video was turned off');
    }
    this.producersByKind.set(kind, producer);
    producer.observer.once('close', () => {
      if (this.producersByKind.get(kind) === producer) this.producersByKind.delete(kind);
    });
    return producer;
  }

  /** A paused consumer of another participant's producer (the room checked it is in the call and receivable). */
  async consume(producerId: string, rtpCapabilities: unknown): Promise<Consumer> {
    const recv = this.transportsByDirection.get('recv');
    if (!recv) throw new MediaConflict('create a recv transport first');
    if (this.makingConsumers.has(producerId) || this.consumers().some((c) => c.producerId === producerId)) {
      throw new MediaConflict('already consuming this producer');
    }
    this.makingConsumers.add(producerId);
    let consumer: Consumer;
    try {
      consumer = await asClientError('rtpCapabilities', () =>
        recv.consume({ producerId, rtpCapabilities: rtpCapabilities as RtpCapabilities, paused: true }),
      );
    } finally {
      this.makingConsumers.delete(producerId);
    }
    if (this.isClosed || recv.closed) {
      consumer.close();
      throw new MediaNotFound(JOIN_FIRST);
    }
    this.consumersById.set(consumer.id, consumer);
    consumer.observer.once('close', () => this.consumersById.delete(consumer.id));
    return consumer;
  }

  async resumeConsumer(consumerId: string): Promise<void> {
    const consumer = this.consumersById.get(consumerId);
    if (!consumer) throw new MediaNotFound('no such consumer');
    await consumer.resume();
  }

  /** Closing a transport closes its producers and consumers; a closed peer takes nothing new. */
  close(): void {
    this.isClosed = true;
    for (const transport of this.transportsByDirection.values()) transport.close();
    this.transportsByDirection.clear();
    this.producersByKind.clear();
    this.consumersById.clear();
    this.connecting.clear();
  }
}
