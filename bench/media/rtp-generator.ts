/**
 * Plain-RTP load generator for the media benchmark: a child process (forked by plain-rtp.bench.ts) that
 * plays `parties` participants, one UDP socket each on 127.0.0.1. Each party sends Opus-shaped RTP (a
 * 12-byte header and a `payloadBytes` payload) at `pps` packets a second to its PlainTransport on the
 * server, and receives what the server forwards to it from the other parties of its session.
 *
 * The payload carries the send time (process.hrtime, CLOCK_MONOTONIC: the same clock in every process of
 * the machine) and the sending party's index, so that a receiver measures the added delay and counts,
 * for the measurement window only, how many of the packets sent in that window arrived.
 *
 * Protocol with the parent (IPC): {type:'bind', parties} → {type:'ports', ports}; {type:'targets', ports}
 * → {type:'ready'}; {type:'run', warmupMs, measureMs, drainMs, pps, payloadBytes, fanout} → {type:'result'}.
 * It exits when told to, when its parent goes, or after a hard limit.
 */
import { createSocket, Socket } from 'node:dgram';

const HARD_LIMIT_MS = 10 * 60_000;
setTimeout(() => process.exit(3), HARD_LIMIT_MS).unref();
process.on('disconnect', () => process.exit(0));

const send = (m: unknown) => process.send?.(m);
const now = () => process.hrtime.bigint();

interface Party {
  socket: Socket;
  target: number;
  seq: number;
  ts: number;
  ssrc: number;
}

const parties: Party[] = [];
// Latency histogram in 10 µs buckets up to 2 s, and an overflow count.
const BUCKET_NS = 10_000n;
const BUCKETS = 200_000;
let hist = new Uint32Array(BUCKETS);
let over = 0;
let windowStart = 0n;
let windowEnd = 0n;
let received = 0;
let rtcp = 0;
let outside = 0;

function onMessage(msg: Buffer) {
  const t = now();
  if (msg.length < 12) return;
  const pt = msg[1];
  if (pt >= 200 && pt <= 206) {
    rtcp++;
    return;
  }
  let off = 12 + 4 * (msg[0] & 0x0f);
  if (msg[0] & 0x10) off += 4 + 4 * msg.readUInt16BE(off + 2);
  if (msg.length < off + 8) return;
  const sentAt = msg.readBigUInt64BE(off);
  if (sentAt < windowStart || sentAt >= windowEnd) {
    outside++;
    return;
  }
  received++;
  const b = (t - sentAt) / BUCKET_NS;
  if (b >= BigInt(BUCKETS)) over++;
  else hist[Number(b)]++;
}

function percentile(p: number, total: number): number {
  if (!total) return NaN;
  const rank = Math.ceil((p / 100) * total);
  let seen = 0;
  for (let i = 0; i < BUCKETS; i++) {
    seen += hist[i];
    if (seen >= rank) return (i + 0.5) * 0.01; // ms
  }
  return Infinity;
}

async function bind(count: number) {
  for (let i = 0; i < count; i++) {
    const socket = createSocket({ type: 'udp4', recvBufferSize: 1 << 20, sendBufferSize: 1 << 20 });
    await new Promise<void>((r) => socket.bind(0, '127.0.0.1', () => r()));
    socket.on('message', onMessage);
    parties.push({ socket, target: 0, seq: Math.floor(Math.random() * 65535), ts: Math.floor(Math.random() * 2 ** 31), ssrc: 0 });
  }
  send({ type: 'ports', ports: parties.map((p) => p.socket.address().port) });
}

function packet(p: Party, index: number, payloadBytes: number): Buffer {
  const buf = Buffer.allocUnsafe(12 + payloadBytes);
  buf[0] = 0x80;
  buf[1] = 100; // payload type the producers declare for Opus
  buf.writeUInt16BE(p.seq, 2);
  buf.writeUInt32BE(p.ts >>> 0, 4);
  buf.writeUInt32BE(p.ssrc, 8);
  buf.writeBigUInt64BE(now(), 12);
  buf.writeUInt32BE(index, 20);
  buf.fill(0x55, 24);
  p.seq = (p.seq + 1) & 0xffff;
  p.ts = (p.ts + 960) % 2 ** 32; // 20 ms at 48 kHz
  return buf;
}

/**
 * Sends for warmup + measure, each party at its own phase within the 1000/pps ms period (spread over
 * the period, not in one burst), then waits `drainMs` for the last packets and reports.
 */
async function run(o: { warmupMs: number; measureMs: number; drainMs: number; pps: number; payloadBytes: number; fanout: number }) {
  const periodMs = 1000 / o.pps;
  const phases = Math.max(1, Math.round(periodMs)); // one bucket per millisecond of the period
  const buckets: number[][] = Array.from({ length: phases }, () => []);
  parties.forEach((_, i) => buckets[i % phases].push(i));
  const next = buckets.map((_, b) => b);
  const start = now();
  windowStart = start + BigInt(o.warmupMs) * 1_000_000n;
  windowEnd = windowStart + BigInt(o.measureMs) * 1_000_000n;
  hist = new Uint32Array(BUCKETS);
  over = received = rtcp = outside = 0;
  let sentInWindow = 0;
  let sentTotal = 0;
  let maxLateMs = 0;
  let lateSends = 0;
  const totalMs = o.warmupMs + o.measureMs;
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      const elapsedMs = Number(now() - start) / 1e6;
      if (elapsedMs >= totalMs) {
        clearInterval(timer);
        resolve();
        return;
      }
      for (let b = 0; b < phases; b++) {
        // Bounded catch-up: a generator that falls behind sends late rather than skipping, and says so.
        for (let k = 0; k < 50 && next[b] <= elapsedMs; k++) {
          const late = elapsedMs - next[b];
          if (late > maxLateMs) maxLateMs = late;
          if (late > periodMs) lateSends++;
          for (const i of buckets[b]) {
            const p = parties[i];
            const buf = packet(p, i, o.payloadBytes);
            const sentAt = buf.readBigUInt64BE(12);
            if (sentAt >= windowStart && sentAt < windowEnd) sentInWindow++;
            sentTotal++;
            p.socket.send(buf, p.target, '127.0.0.1');
          }
          next[b] += periodMs;
        }
      }
    }, 1);
  });
  await new Promise((r) => setTimeout(r, o.drainMs));
  const total = received + over;
  send({
    type: 'result',
    sentInWindow,
    sentTotal,
    expected: sentInWindow * o.fanout,
    received: total,
    rtcp,
    outside,
    latencyMs: { p50: percentile(50, total), p90: percentile(90, total), p99: percentile(99, total), max: percentile(100, total) },
    // Sparse histogram [bucket, count] (10 µs buckets), for the parent to merge across generators.
    hist: [...hist.entries()].filter(([, c]) => c > 0),
    overflow2s: over,
    maxLateMs,
    lateSends,
  });
}

process.on('message', (m: any) => {
  if (m.type === 'bind') void bind(m.parties);
  else if (m.type === 'targets') {
    m.targets.forEach((t: { port: number; ssrc: number }, i: number) => {
      parties[i].target = t.port;
      parties[i].ssrc = t.ssrc;
    });
    send({ type: 'ready' });
  } else if (m.type === 'run') void run(m);
  else if (m.type === 'exit') {
    for (const p of parties) p.socket.close();
    process.exit(0);
  }
});
