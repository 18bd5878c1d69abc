import wrtc from '@roamhq/wrtc';
import type { MediaInspection } from '../../src/media/media-inspection';
import type { ClientEvent, ClientRequests } from '../../src/realtime/realtime.contract';
import type { TestSocket } from './socket-client';

/**
 * Every native WebRTC object a test makes, kept reachable until the jest worker process ends (it is recycled after
 * each test file: jest.config.js). @roamhq/wrtc can crash the process (SIGSEGV) when the garbage collector destroys a
 * closed peer connection whose factory's threads are gone (node-webrtc issues #361, #576): that happened in the next,
 * unrelated test file of the same worker, after its environment dropped these objects. The list hangs on the native
 * binding, which Node loads once per process (jest re-evaluates JavaScript modules per file, not native ones).
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const binding = require('@roamhq/wrtc/lib/binding') as { puenteKept?: unknown[] };
const kept = (binding.puenteKept ??= []);
export const keep = <T>(o: T): T => (kept.push(o), o);

/**
 * A peer connection kept (above) whose local description is read from what was set, never from the native object.
 * @roamhq/wrtc's `localDescription` getter serialises the native description on Node's thread while WebRTC's own
 * threads add the ICE candidates they gather to it: a data race that crashed a jest worker with SIGSEGV in
 * `webrtc::SdpSerialize` (core dump of a media-five run, 6 December 2026; node-webrtc issue #696). mediasoup-client
 * reads the local description right after setting it, during gathering, and needs from it only what it set (media
 * sections, DTLS fingerprint, SSRCs, CNAME), never the candidates: an ICE-lite server learns them from the checks.
 */
class KeptPeerConnection extends wrtc.RTCPeerConnection {
  constructor(...args: ConstructorParameters<typeof wrtc.RTCPeerConnection>) {
    super(...args);
    keep(this);
    // The native object the wrapper's getters and methods call (@roamhq/wrtc 0.10's lib/peerconnection.js keeps it as
    // _pc; its native getter lives on the prototype, so an accessor on the instance shadows it).
    const native = (this as unknown as { _pc: { setLocalDescription(d?: RTCSessionDescriptionInit): Promise<void> } })._pc;
    const setNative = native.setLocalDescription.bind(native);
    let local: RTCSessionDescriptionInit | null = null;
    Object.defineProperty(native, 'setLocalDescription', {
      value: async (d?: RTCSessionDescriptionInit) => {
        if (!d?.sdp) throw new Error('test peers set their local description explicitly (mediasoup-client does)');
        await setNative(d);
        local = { type: d.type, sdp: d.sdp };
      },
    });
    Object.defineProperty(native, 'localDescription', { get: () => local });
  }
}

// mediasoup-client looks for the browser's WebRTC classes on globalThis.
Object.assign(globalThis, {
  RTCPeerConnection: KeptPeerConnection,
  RTCSessionDescription: wrtc.RTCSessionDescription,
  RTCIceCandidate: wrtc.RTCIceCandidate,
  MediaStream: wrtc.MediaStream,
  MediaStreamTrack: wrtc.MediaStreamTrack,
});
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { Device } = require('mediasoup-client') as typeof import('mediasoup-client');

const RATE = 48000;
const FRAME = 480; // 10 ms
/** A decoded 10 ms frame whose peak is above this carries the tone, not silence or comfort noise. */
export const LOUD = 1000;
const VIDEO_W = 320;
const VIDEO_H = 240;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * What a sink decoded from one producer since the window was last reset: 10 ms audio frames (and how many
 * of them were loud) or video frames.
 */
export interface Received {
  frames: number;
  loud: number;
  peak: number;
  width?: number;
  height?: number;
}

/** Opus as the web client sends it (client/src/lib/call.ts), which is what the server asks for. */
export const VOICE_CODEC_OPTIONS = { opusFec: true, opusDtx: true };

/** A real WebRTC participant in Node: sends a tone (and a camera on request), and measures what it receives. */
export class CallPeer {
  readonly device = new Device({ handlerName: 'Chrome111' });
  send: any;
  recv: any;
  private timers: NodeJS.Timeout[] = [];
  private sinks: any[] = [];
  /** Decoded media received, per producer, since the last window reset (see `hears`). */
  readonly heard = new Map<string, Received>();
  /** The mediasoup-client consumer of each producer listened to. */
  readonly consumers = new Map<string, any>();
  join: any;

  constructor(
    readonly sock: TestSocket,
    readonly sessionId: string,
  ) {}

  /** The result untyped: mediasoup's objects in it go straight to mediasoup-client, which has its own types for them. */
  async ask<E extends ClientEvent>(event: E, payload: ClientRequests[E]): Promise<any> {
    const res = await this.sock.call(event, payload);
    if (res?.error) throw new Error(`${event}: ${res.error.code} ${res.error.message}`);
    return res;
  }

  async start(opts: { iceTransportPolicy?: 'all' | 'relay' } = {}) {
    this.join = await this.ask('session:join', { sessionId: this.sessionId });
    await this.device.load({ routerRtpCapabilities: this.join.routerRtpCapabilities });
    const common = { iceServers: this.join.iceServers, iceTransportPolicy: opts.iceTransportPolicy ?? 'all' };
    this.send = this.device.createSendTransport({
      ...(await this.ask('media:createTransport', { sessionId: this.sessionId, direction: 'send' })),
      ...common,
    });
    this.recv = this.device.createRecvTransport({
      ...(await this.ask('media:createTransport', { sessionId: this.sessionId, direction: 'recv' })),
      ...common,
    });
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

  /** Sends a 440 Hz tone as Opus; `codecOptions` as mediasoup-client takes them. */
  async speak(codecOptions: Record<string, unknown> = VOICE_CODEC_OPTIONS): Promise<string> {
    const source = keep(new wrtc.nonstandard.RTCAudioSource());
    let t = 0;
    this.timers.push(
      setInterval(() => {
        const samples = new Int16Array(FRAME);
        for (let i = 0; i < FRAME; i++, t++) samples[i] = Math.round(8000 * Math.sin((2 * Math.PI * 440 * t) / RATE));
        source.onData({ samples, sampleRate: RATE, bitsPerSample: 16, channelCount: 1, numberOfFrames: FRAME });
      }, 10),
    );
    const producer = await this.send.produce({ track: keep(source.createTrack()), codecOptions });
    return producer.id;
  }

  /** Turns the camera on (`media:video`) and sends a moving 320x240 picture as VP8. */
  async showVideo(): Promise<string> {
    await this.ask('media:video', { sessionId: this.sessionId, on: true });
    return this.produceVideo();
  }

  /** Produces VP8 video without asking the server first (to see it refused). */
  async produceVideo(): Promise<string> {
    const source = keep(new wrtc.nonstandard.RTCVideoSource());
    let n = 0;
    const frame = () => {
      const data = new Uint8Array(VIDEO_W * VIDEO_H * 1.5);
      for (let i = 0; i < VIDEO_W * VIDEO_H; i++) data[i] = (i + n * 7) % 256;
      data.fill(128, VIDEO_W * VIDEO_H);
      n++;
      source.onFrame({ width: VIDEO_W, height: VIDEO_H, data });
    };
    frame();
    this.timers.push(setInterval(frame, 33));
    const vp8 = this.device.rtpCapabilities.codecs!.find((c) => c.mimeType.toLowerCase() === 'video/vp8');
    const producer = await this.send.produce({ track: keep(source.createTrack()), codec: vp8 });
    return producer.id;
  }

  /** Consumes a producer (created paused by the server) and, unless told not to, resumes it. */
  async listen(producerId: string, { resume = true } = {}) {
    const c = await this.ask('media:consume', { sessionId: this.sessionId, producerId, rtpCapabilities: this.device.rtpCapabilities });
    const consumer = await this.recv.consume({ id: c.consumerId, producerId: c.producerId, kind: c.kind, rtpParameters: c.rtpParameters });
    this.consumers.set(producerId, consumer);
    const stat: Received = { frames: 0, loud: 0, peak: 0 };
    this.heard.set(producerId, stat);
    if (c.kind === 'audio') {
      const sink = keep(new wrtc.nonstandard.RTCAudioSink(consumer.track));
      sink.ondata = (d: { samples: Int16Array }) => {
        let peak = 0;
        for (const s of d.samples) if (Math.abs(s) > peak) peak = Math.abs(s);
        stat.frames++;
        if (peak > LOUD) stat.loud++;
        if (peak > stat.peak) stat.peak = peak;
      };
      this.sinks.push(sink);
    } else {
      const sink = keep(new wrtc.nonstandard.RTCVideoSink(consumer.track));
      sink.onframe = ({ frame }: { frame: { width: number; height: number } }) => {
        stat.frames++;
        stat.width = frame.width;
        stat.height = frame.height;
      };
      this.sinks.push(sink);
    }
    if (resume) await this.resume(producerId);
    return consumer;
  }

  async resume(producerId: string) {
    await this.ask('media:resumeConsumer', { consumerId: this.consumers.get(producerId).id });
  }

  /**
   * RTP packets received so far for a producer, from the receiving peer connection's own stats
   * (`inbound-rtp` of the consumer's SSRC): counts packets that arrived, whatever the decoder makes of them.
   */
  async packetsReceived(producerId: string): Promise<number> {
    const ssrc = this.consumers.get(producerId)?.rtpParameters.encodings[0].ssrc;
    const report: Map<string, any> = await this.recv.getStats();
    for (const s of report.values()) if (s.type === 'inbound-rtp' && s.ssrc === ssrc) return s.packetsReceived ?? 0;
    return 0;
  }

  /** The SDP answer mediasoup-client gave its own peer connection for the send transport: what the encoders were told. */
  sendAnswer(): string {
    return this.send.handler._pc.remoteDescription.sdp;
  }

  /** Restarts ICE on both transports, server side then client side; returns the new usernameFragments. */
  async restartIce(): Promise<string[]> {
    const fragments = [];
    for (const t of [this.send, this.recv]) {
      const { iceParameters } = await this.ask('media:restartIce', { transportId: t.id });
      await t.restartIce({ iceParameters });
      fragments.push(iceParameters.usernameFragment as string);
    }
    return fragments;
  }

  close() {
    for (const t of this.timers) clearInterval(t);
    for (const s of this.sinks) s.stop();
    this.send?.close();
    this.recv?.close();
  }
}

/** Resets a producer's window, then waits until `enough` holds for it and `packets` new RTP packets arrived. */
async function afresh(peer: CallPeer, producerId: string, enough: (s: Received) => boolean, packets: number) {
  const stat = peer.heard.get(producerId);
  if (!stat) throw new Error(`not receiving ${producerId}`);
  const before = await peer.packetsReceived(producerId);
  Object.assign(stat, { frames: 0, loud: 0, peak: 0 });
  for (;;) {
    if (enough(stat)) {
      const now = await peer.packetsReceived(producerId);
      if (now - before >= packets) return { ...stat, packets: now - before };
    }
    await sleep(50);
  }
}

/**
 * Waits until a producer's audio is heard afresh: counting from now only (the window is reset), at least
 * `frames` decoded frames carrying the tone AND at least `packets` new RTP packets received. Without packets
 * arriving the packet count cannot grow, so a stalled call never passes; and decoded loud frames show the
 * packets are the tone, not comfort noise.
 */
export function hears(peer: CallPeer, producerId: string, { frames = 25, packets = 25 } = {}) {
  return afresh(peer, producerId, (s) => s.loud >= frames, packets);
}

/** Waits until at least `frames` new video frames of a producer have been decoded, and `packets` new packets arrived. */
export function sees(peer: CallPeer, producerId: string, { frames = 10, packets = 10 } = {}) {
  return afresh(peer, producerId, (s) => s.frames >= frames, packets);
}

/**
 * Waits until the worker reports more bytes, between two reads, for every given producer (received) and
 * consumer (sent) of a session; by default every producer and every resumed consumer of the call.
 */
export async function flowing(rooms: MediaInspection, sessionId: string, ids?: string[]) {
  const info = await rooms.inspect(sessionId);
  if (!info) throw new Error(`no room for ${sessionId}`);
  const want = ids ?? [...info.producers.map((p) => p.id), ...info.consumers.filter((c) => !c.paused).map((c) => c.id)];
  const first = (await rooms.traffic(sessionId))!;
  for (;;) {
    await sleep(100);
    const now = await rooms.traffic(sessionId);
    if (now && want.every((id) => now.has(id) && now.get(id)! > (first.get(id) ?? 0))) return { ids: want, first, now };
  }
}
