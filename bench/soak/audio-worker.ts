/**
 * The soak's light WebRTC clients, in a process of their own (forked by soak.bench.ts): for each call it is
 * handed, it connects the caller and the interpreter a second socket each (their own tokens), joins the
 * session as both, each sends a 440 Hz tone as Opus and consumes the other's (CallPeer of the media tests:
 * mediasoup-client 3.18.7 over @roamhq/wrtc, ICE, DTLS, SRTP, as the web client does), and reports when RTP
 * packets and decoded tone frames arrived each way. It holds the call until told to end it, then closes.
 * Bounded: a call that does not hear both ways within HEAR_TIMEOUT_MS is reported as failed.
 */
import { connect, TestSocket } from '../../test/utils/socket-client';
import { CallPeer, hears } from '../../test/utils/webrtc-peer';

const HEAR_TIMEOUT_MS = 15_000;

export interface AudioCall {
  type: 'call';
  id: string;
  sessionId: string;
  caller: { url: string; token: string };
  interpreter: { url: string; token: string };
}
export interface AudioEnd {
  type: 'end';
  id: string;
}
export interface AudioHeard {
  type: 'heard';
  id: string;
  ok: boolean;
  /** From the interpreter emitting her first join to both sides hearing the other (ms). */
  bothHeardMs?: number;
  error?: string;
}
export interface AudioClosed {
  type: 'closed';
  id: string;
  /** RTP packets and bytes received, at the caller (from the interpreter) and at the interpreter; loudFrames counts since the last window reset. */
  caller: { packets: number; loudFrames: number; bytes: number };
  interpreter: { packets: number; loudFrames: number; bytes: number };
}
export type AudioMessage = AudioHeard | AudioClosed;

const calls = new Map<string, CallPeer[]>();
const send = (m: AudioMessage) => process.send?.(m);

function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer!: NodeJS.Timeout;
  return Promise.race([p, new Promise<T>((_, reject) => (timer = setTimeout(() => reject(new Error(what)), ms)))]).finally(() =>
    clearTimeout(timer),
  );
}

/** The other party's audio producer: in the join's answer, or announced later by session:newProducer. */
function producerOf(sock: TestSocket, join: any, role: string): Promise<string> {
  const there = join.participants?.find((x: any) => x.role === role)?.producers?.find((p: any) => p.kind === 'audio');
  if (there) return Promise.resolve(there.producerId);
  return sock.next('session:newProducer', (p: any) => p?.role === role && p?.kind === 'audio').then((p: any) => p.producerId);
}

async function runCall(c: AudioCall) {
  const t0 = Date.now();
  const peers: CallPeer[] = [];
  calls.set(c.id, peers);
  try {
    await within(
      (async () => {
        const [si, sc] = await Promise.all([connect(c.interpreter.url, c.interpreter.token), connect(c.caller.url, c.caller.token)]);
        const interpreter = new CallPeer(si, c.sessionId);
        const caller = new CallPeer(sc, c.sessionId);
        peers.push(interpreter, caller);
        await interpreter.start();
        await caller.start();
        await Promise.all([interpreter.speak(), caller.speak()]);
        const [fromInterpreter, fromCaller] = await Promise.all([
          producerOf(sc, caller.join, 'interpreter'),
          producerOf(si, interpreter.join, 'caller'),
        ]);
        await Promise.all([caller.listen(fromInterpreter), interpreter.listen(fromCaller)]);
        // Both ways: at least 25 new RTP packets and 10 decoded frames carrying the tone.
        await Promise.all([
          hears(caller, fromInterpreter, { frames: 10, packets: 25 }),
          hears(interpreter, fromCaller, { frames: 10, packets: 25 }),
        ]);
      })(),
      HEAR_TIMEOUT_MS,
      `not heard both ways within ${HEAR_TIMEOUT_MS} ms`,
    );
    send({ type: 'heard', id: c.id, ok: true, bothHeardMs: Date.now() - t0 });
  } catch (e) {
    send({ type: 'heard', id: c.id, ok: false, error: String((e as Error)?.message ?? e).slice(0, 200) });
  }
}

async function received(peer: CallPeer | undefined) {
  const [producerId] = peer ? [...peer.consumers.keys()] : [];
  if (!peer || !producerId) return { packets: 0, bytes: 0, loudFrames: 0 };
  const ssrc = peer.consumers.get(producerId).rtpParameters.encodings[0].ssrc;
  const report: Map<string, any> = await peer.recv.getStats().catch(() => new Map());
  let packets = 0;
  let bytes = 0;
  for (const s of report.values())
    if (s.type === 'inbound-rtp' && s.ssrc === ssrc) [packets, bytes] = [s.packetsReceived ?? 0, s.bytesReceived ?? 0];
  return { packets, bytes, loudFrames: peer.heard.get(producerId)?.loud ?? 0 };
}

async function endCall(id: string) {
  const peers = calls.get(id) ?? [];
  calls.delete(id);
  const [interpreter, caller] = await Promise.all([received(peers[0]), received(peers[1])]);
  for (const p of peers) {
    p.close();
    p.sock.close();
  }
  send({ type: 'closed', id, caller, interpreter });
}

process.on('message', (m: AudioCall | AudioEnd) => {
  if (m.type === 'call') void runCall(m);
  else if (m.type === 'end') void endCall(m.id);
});
process.on('disconnect', () => process.exit(0));
