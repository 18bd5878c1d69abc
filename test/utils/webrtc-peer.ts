import wrtc from '@roamhq/wrtc';
import type { TestSocket } from './socket-client';

// mediasoup-client looks for the browser's WebRTC classes on globalThis.
Object.assign(globalThis, {
  RTCPeerConnection: wrtc.RTCPeerConnection,
  RTCSessionDescription: wrtc.RTCSessionDescription,
  RTCIceCandidate: wrtc.RTCIceCandidate,
  MediaStream: wrtc.MediaStream,
  MediaStreamTrack: wrtc.MediaStreamTrack,
});
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { Device } = require('mediasoup-client') as typeof import('mediasoup-client');

const RATE = 48000;
const FRAME = 480; // 10 ms

/** A real WebRTC participant in Node: sends a tone, and measures the audio it receives. */
export class CallPeer {
  private device = new Device({ handlerName: 'Chrome111' });
  private send: any;
  private recv: any;
  private timer?: NodeJS.Timeout;
  private sinks: any[] = [];
  /** Decoded audio received, per producer: frames and peak amplitude. */
  readonly heard = new Map<string, { frames: number; peak: number }>();
  join: any;

  constructor(
    readonly sock: TestSocket,
    readonly sessionId: string,
  ) {}

  private async ask(event: string, payload: unknown) {
    const res = await this.sock.call(event, payload);
    if (res?.error) throw new Error(`${event}: ${res.error.code} ${res.error.message}`);
    return res;
  }

  async start(opts: { iceTransportPolicy?: 'all' | 'relay' } = {}) {
    this.join = await this.ask('session:join', { sessionId: this.sessionId });
    await this.device.load({ routerRtpCapabilities: this.join.routerRtpCapabilities });
    const common = { iceServers: this.join.iceServers, iceTransportPolicy: opts.iceTransportPolicy ?? 'all' };
    this.send = this.device.createSendTransport({ ...(await this.ask('media:createTransport', { sessionId: this.sessionId, direction: 'send' })), ...common });
    this.recv = this.device.createRecvTransport({ ...(await this.ask('media:createTransport', { sessionId: this.sessionId, direction: 'recv' })), ...common });
    for (const t of [this.send, this.recv]) {
      t.on('connect', ({ dtlsParameters }: any, ok: () => void, fail: (e: Error) => void) =>
        this.ask('media:connectTransport', { transportId: t.id, dtlsParameters }).then(() => ok(), fail),
      );
    }
    this.send.on('produce', ({ kind, rtpParameters }: any, ok: (r: { id: string }) => void, fail: (e: Error) => void) =>
      this.ask('media:produce', { transportId: this.send.id, kind, rtpParameters }).then((r) => ok({ id: r.producerId }), fail),
    );
    return this;
  }

  /** Sends a 440 Hz tone as Opus. */
  async speak(): Promise<string> {
    const source = new wrtc.nonstandard.RTCAudioSource();
    let t = 0;
    this.timer = setInterval(() => {
      const samples = new Int16Array(FRAME);
      for (let i = 0; i < FRAME; i++, t++) samples[i] = Math.round(8000 * Math.sin((2 * Math.PI * 440 * t) / RATE));
      source.onData({ samples, sampleRate: RATE, bitsPerSample: 16, channelCount: 1, numberOfFrames: FRAME });
    }, 10);
    const producer = await this.send.produce({ track: source.createTrack() });
    return producer.id;
  }

  async listen(producerId: string) {
    const c = await this.ask('media:consume', { sessionId: this.sessionId, producerId, rtpCapabilities: this.device.rtpCapabilities });
    const consumer = await this.recv.consume({ id: c.consumerId, producerId: c.producerId, kind: c.kind, rtpParameters: c.rtpParameters });
    await this.ask('media:resumeConsumer', { consumerId: c.consumerId });
    const stat = { frames: 0, peak: 0 };
    this.heard.set(producerId, stat);
    const sink = new wrtc.nonstandard.RTCAudioSink(consumer.track);
    sink.ondata = (d: { samples: Int16Array }) => {
      stat.frames++;
      for (const s of d.samples) if (Math.abs(s) > stat.peak) stat.peak = Math.abs(s);
    };
    this.sinks.push(sink);
    return consumer;
  }

  async restartIce() {
    for (const t of [this.send, this.recv]) {
      const { iceParameters } = await this.ask('media:restartIce', { transportId: t.id });
      await t.restartIce({ iceParameters });
    }
  }

  close() {
    clearInterval(this.timer);
    for (const s of this.sinks) s.stop();
    this.send?.close();
    this.recv?.close();
  }
}

/** Waits until audio with a real amplitude has been decoded from this producer (frames arriving, not silence). */
export async function hears(peer: CallPeer, producerId: string, minFrames = 50) {
  for (;;) {
    const s = peer.heard.get(producerId);
    if (s && s.frames >= minFrames && s.peak > 1000) return s;
    await new Promise((r) => setTimeout(r, 50));
  }
}
