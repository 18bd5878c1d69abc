import { Device } from 'mediasoup-client';
import type {
  Consumer,
  IceParameters,
  Producer,
  RtpCapabilities,
  RtpParameters,
  Transport,
  TransportOptions,
} from 'mediasoup-client/types';
import type { ParticipantRole, ServerEvents, Signal } from './socket';
import { noteIceRestart } from './test-hooks';

/** A call's roles (up to five participants, one each), in the order the consoles list them. */
export const CALL_ROLES = [
  'caller',
  'interpreter',
  'relay_interpreter',
  'team_interpreter',
  'official',
] as const satisfies readonly ParticipantRole[];

export interface CallOptions {
  /** A microphone the caller of `new Call` opened and keeps (it is not stopped by close()). */
  mic?: MediaStream;
  /** The media path dropped (`reconnecting`, while ICE restarts) or is back (`connected`). */
  onConnection?: (state: 'connected' | 'reconnecting') => void;
  /** The roles heard now changed (someone's audio arrived or left): a hearing shows who is in the call. */
  onParticipants?: (roles: string[]) => void;
}

/**
 * One participant's media in a session, the same for the caller and the interpreter: audio only, one send
 * and one receive transport, every other participant's producer consumed and played.
 */
export class Call {
  private device = new Device();
  private send?: Transport;
  private recv?: Transport;
  private producer?: Producer;
  private mic?: MediaStream;
  private readonly consumers = new Map<string, { consumer: Consumer; audio: HTMLAudioElement; role: string }>();
  /** Producers already being consumed (or about to be), so an announced one is never consumed twice. */
  private readonly claimed = new Set<string>();
  /** Producers announced before the receive transport existed: consumed once it does. */
  private backlog: { producerId: string; role: string }[] | null = [];
  private closed = false;
  private volume = 1;
  private readonly ownsMic: boolean;
  private readonly onNewProducer = (e: ServerEvents['session:newProducer']) => {
    if (e.sessionId !== this.sessionId || e.kind !== 'audio') return;
    if (this.backlog) this.backlog.push({ producerId: e.producerId, role: e.role });
    else void this.consume(e.producerId, e.role).catch(() => undefined);
  };
  /** Someone's media left (she hung up, or her network dropped and she will rejoin with new producers). */
  private readonly onParticipantLeft = (e: ServerEvents['session:participantLeft']) => {
    if (e.sessionId !== this.sessionId) return;
    for (const [id, c] of this.consumers) if (c.role === e.role) this.drop(id);
  };
  /** One producer closed while its participant stays (she turned video off, or rejoined with a new one). */
  private readonly onProducerClosed = (e: ServerEvents['session:producerClosed']) => {
    if (e.sessionId === this.sessionId) this.drop(e.producerId);
  };

  constructor(
    private readonly signal: Signal,
    readonly sessionId: string,
    private readonly options: CallOptions = {},
  ) {
    this.mic = options.mic;
    this.ownsMic = !options.mic;
  }

  async start(): Promise<void> {
    // Listen before joining so that a producer announced in between is not missed.
    this.signal.socket.on('session:newProducer', this.onNewProducer);
    this.signal.socket.on('session:participantLeft', this.onParticipantLeft);
    this.signal.socket.on('session:producerClosed', this.onProducerClosed);
    this.mic ??= await openMicrophone();
    const join = await this.signal.ask('session:join', { sessionId: this.sessionId });
    // mediasoup's objects: the contract says only that they are objects; mediasoup-client reads them.
    if (!this.device.loaded) await this.device.load({ routerRtpCapabilities: join.routerRtpCapabilities as RtpCapabilities });
    const common = { iceServers: join.iceServers };
    this.send = this.device.createSendTransport({ ...(await this.transport('send')), ...common });
    this.recv = this.device.createRecvTransport({ ...(await this.transport('recv')), ...common });
    for (const t of [this.send, this.recv]) {
      t.on('connect', ({ dtlsParameters }, ok, fail) => {
        this.signal.ask('media:connectTransport', { transportId: t.id, dtlsParameters }).then(() => ok(), fail);
      });
      t.on('connectionstatechange', (state) => this.onTransportState(t, state));
    }
    this.send.on('produce', ({ kind, rtpParameters }, ok, fail) => {
      this.signal.ask('media:produce', { transportId: this.send!.id, kind, rtpParameters }).then((r) => ok({ id: r.producerId }), fail);
    });
    // The microphone outlives a transport: a rejoin after a dropped network produces the same track again.
    this.producer = await this.send.produce({
      track: this.mic.getAudioTracks()[0],
      stopTracks: false,
      codecOptions: { opusFec: true, opusDtx: true },
    });
    const announced = [
      ...join.participants.flatMap((p) =>
        p.producers.filter((pr) => pr.kind === 'audio').map((pr) => ({ producerId: pr.producerId, role: p.role })),
      ),
      ...this.backlog!,
    ];
    this.backlog = null;
    for (const { producerId, role } of announced) await this.consume(producerId, role);
  }

  /**
   * A transport whose network path dropped restarts ICE (new credentials from the server, same transport, same
   * session). While the socket itself is down the restart fails; the page rejoins the session when it is back.
   */
  private onTransportState(t: Transport, state: string) {
    if (this.closed) return;
    if (state === 'connected') {
      if (this.send?.connectionState !== 'disconnected' && this.recv?.connectionState !== 'disconnected')
        this.options.onConnection?.('connected');
      return;
    }
    if (state !== 'disconnected' && state !== 'failed') return;
    this.options.onConnection?.('reconnecting');
    if (!this.signal.socket.connected) return;
    this.signal
      .ask('media:restartIce', { transportId: t.id })
      .then(({ iceParameters }) => (this.closed ? undefined : t.restartIce({ iceParameters: iceParameters as IceParameters })))
      .then(() => void (__PUENTE_TEST_HOOKS__ && noteIceRestart(this)))
      .catch(() => undefined);
  }

  private transport(direction: 'send' | 'recv') {
    return this.signal.ask('media:createTransport', { sessionId: this.sessionId, direction }) as Promise<TransportOptions>;
  }

  private async consume(producerId: string, role: string) {
    if (this.closed || !this.recv || this.claimed.has(producerId)) return;
    this.claimed.add(producerId);
    const c = await this.signal.ask('media:consume', {
      sessionId: this.sessionId,
      producerId,
      rtpCapabilities: this.device.rtpCapabilities,
    });
    const consumer = await this.recv.consume({
      id: c.consumerId,
      producerId: c.producerId,
      kind: c.kind,
      rtpParameters: c.rtpParameters as RtpParameters,
    });
    const audio = new Audio();
    audio.autoplay = true;
    audio.srcObject = new MediaStream([consumer.track]);
    audio.volume = this.volume;
    this.consumers.set(producerId, { consumer, audio, role });
    this.options.onParticipants?.(this.roles());
    consumer.on('trackended', () => this.drop(producerId));
    consumer.on('transportclose', () => this.drop(producerId));
    await this.signal.ask('media:resumeConsumer', { consumerId: c.consumerId });
    await audio.play().catch(() => undefined);
  }

  private drop(producerId: string) {
    const c = this.consumers.get(producerId);
    if (!c) return;
    c.audio.srcObject = null;
    c.consumer.close();
    this.consumers.delete(producerId);
    this.claimed.delete(producerId);
    if (!this.closed) this.options.onParticipants?.(this.roles());
  }

  /** The roles (CALL_ROLES) whose audio this participant receives now. */
  roles(): string[] {
    return [...new Set([...this.consumers.values()].map((c) => c.role))].sort();
  }

  setMuted(muted: boolean) {
    if (!this.producer) return;
    if (muted) this.producer.pause();
    else this.producer.resume();
  }

  /** The loudness of what she hears (0 to 1): the speaker button. */
  setVolume(volume: number) {
    this.volume = volume;
    for (const { audio } of this.consumers.values()) audio.volume = volume;
  }

  /** Stops the microphone and every transport; the server is told separately (session:leave). */
  close() {
    if (this.closed) return;
    this.closed = true;
    this.signal.socket.off('session:newProducer', this.onNewProducer);
    this.signal.socket.off('session:participantLeft', this.onParticipantLeft);
    this.signal.socket.off('session:producerClosed', this.onProducerClosed);
    for (const id of [...this.consumers.keys()]) this.drop(id);
    this.send?.close();
    this.recv?.close();
    if (this.ownsMic) this.mic?.getTracks().forEach((t) => t.stop());
  }
}

/** The microphone, audio only, with the browser's voice processing. Throws a DOMException when refused or absent. */
export function openMicrophone(): Promise<MediaStream> {
  return navigator.mediaDevices.getUserMedia({
    audio: { echoCancellation: true, noiseSuppression: true, autoGainControl: true },
    video: false,
  });
}
