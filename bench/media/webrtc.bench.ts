/**
 * Media benchmark (issue 4), WebRTC part: real three-party WebRTC audio sessions (mediasoup-client 3.18.7
 * over @roamhq/wrtc: ICE, DTLS, SRTP, Opus encode and decode; test/utils/webrtc-peer.ts) on one worker,
 * as many as this machine can drive, stepping up the number of live sessions.
 *
 *   puente  The whole application (startTestApp: PostgreSQL, Redis, socket.io, one mediasoup worker). Each
 *           session is made as in production: a caller's `request:create`, the offer to a fresh interpreter,
 *           her `offer:accept`; the third party is an official (attached to the session in SQL: no public
 *           route does that yet). Time to first audio: from the interpreter emitting `offer:accept` to the
 *           first decoded frame of the interpreter's voice (peak above 1000) at the caller, with both sides
 *           starting their media as soon as they learn the session id.
 *   bare    The same clients against a bare mediasoup worker (WebRtcServer, one router per session,
 *           WebRtcTransports with the same options) with in-process signalling: no Puente code, no socket.io.
 *           Its "first audio" runs from the first join to the first decoded frame: the floor of the above.
 *
 * Loss is read at the server (producer and consumer getStats(): inbound packetsLost/packetCount from the
 * clients, outbound packetsLost from the clients' receiver reports), over the measurement window. CPU is
 * the worker's and this process's (the clients, and the application in `puente` mode) from /proc.
 *
 * Run: `npx tsc -p bench/media/tsconfig.json && node bench/media/dist/bench/media/webrtc.bench.js`
 * Settings: BENCH_WEBRTC_LEVELS (1,4,8,12)  BENCH_MODES (puente,bare)  BENCH_SECONDS (15)  BENCH_RUNS (1)
 *   BENCH_MAX_MINUTES (15)  BENCH_QUIET_PCT (25: each server's run waits for a machine that quiet).
 *   Writes bench/media/results/webrtc.json and .md. Loopback only; bounded.
 */
import { EventEmitter } from 'node:events';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as mediasoup from 'mediasoup';
import type { Consumer, Producer, Router, WebRtcServer, WebRtcTransport, Worker } from 'mediasoup/node/lib/types';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../src/database/data-source-options';
import { runMigrationsLocked } from '../../src/database/migrate';
import { MEDIA_CODECS } from '../../src/media/media-codecs';
import { MediaService } from '../../src/media/media.service';
import { MediaInspection } from '../../src/media/media-inspection';
import { INITIAL_OUTGOING_BITRATE } from '../../src/media/room';
import { workerLogLevel } from '../../src/media/worker-slots';
import { adminQuery, dbUrl } from '../../test/utils/db';
import { caller, interpreter, languageId } from '../../test/utils/matching-fixtures';
import { connect, TestSocket } from '../../test/utils/socket-client';
import { createStaff, freePort, startTestApp, TestApp } from '../../test/utils/test-app';
import { CallPeer } from '../../test/utils/webrtc-peer';
import { CpuWindow, machine, median, sleep, waitForQuiet } from './proc';

const num = (name: string, dflt: number) => (process.env[name] ? Number(process.env[name]) : dflt);
const settings = {
  levels: (process.env.BENCH_WEBRTC_LEVELS ?? '1,4,8,12').split(',').map(Number),
  modes: (process.env.BENCH_MODES ?? 'puente,bare').split(',') as Mode[],
  measureMs: num('BENCH_SECONDS', 15) * 1000,
  runs: num('BENCH_RUNS', 1),
  maxMinutes: num('BENCH_MAX_MINUTES', 15),
  /** Each server's run starts only once the machine is this quiet (busy % of one core). */
  quietPct: num('BENCH_QUIET_PCT', 25),
};
type Mode = 'puente' | 'bare';
const deadline = Date.now() + settings.maxMinutes * 60_000;
const OUT = join(__dirname, '..', '..', '..', '..', 'media', 'results');
const log = (msg: string) => console.log(`[webrtc-bench] ${new Date().toISOString().slice(11, 19)} ${msg}`);
const nowMs = () => Number(process.hrtime.bigint()) / 1e6;
/** The application's LOG_LEVEL; its worker runs at workerLogLevel() of it, and so does the bare worker. */
const APP_LOG_LEVEL = 'error';

/** `p`, or an error naming what did not happen within `ms` (every wait of the bench is bounded). */
function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    p,
    new Promise<T>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms))),
  ]).finally(() => clearTimeout(timer));
}

/** Resolves when `peer` has decoded real audio (not silence) from `producerId`; bounded. */
async function firstAudio(peer: CallPeer, producerId: string, limitMs = 20_000): Promise<number> {
  const until = nowMs() + limitMs;
  while (nowMs() < until) {
    const s = peer.heard.get(producerId);
    if (s && s.frames > 0 && s.peak > 1000) return nowMs();
    await sleep(2);
  }
  throw new Error('no audio within the limit');
}

/**
 * Makes a peer consume every producer of the others in its session, present and future. Returns the
 * producer id of the first producer heard from `role`, once known.
 */
function attach(
  peer: CallPeer,
  events: EventEmitter,
  sessionId: string,
  seen: () => { sessionId: string; producerId: string; role: string }[] = () => [],
) {
  const byRole = new Map<string, string>();
  const waiting = new Map<string, (id: string) => void>();
  const take = (producerId: string, role: string) => {
    if (byRole.has(role)) return;
    byRole.set(role, producerId);
    waiting.get(role)?.(producerId);
    peer.listen(producerId).catch((e) => log(`consume failed: ${(e as Error).message}`));
  };
  for (const p of peer.join.participants as { role: string; producers: { producerId: string }[] }[]) {
    for (const pr of p.producers) take(pr.producerId, p.role);
  }
  const announced = (e: { sessionId: string; producerId: string; role: string }) => {
    if (e.sessionId === sessionId) take(e.producerId, e.role);
  };
  events.on('session:newProducer', announced);
  // Announced between her join and now (while her transports were being made): seen by the socket already.
  for (const e of seen()) announced(e);
  return {
    producerOf: (role: string, limitMs = 20_000) =>
      byRole.has(role)
        ? Promise.resolve(byRole.get(role)!)
        : new Promise<string>((resolve, reject) => {
            const timer = setTimeout(() => reject(new Error(`no ${role} producer within the limit`)), limitMs);
            waiting.set(role, (id) => {
              clearTimeout(timer);
              resolve(id);
            });
          }),
  };
}

interface Live {
  peers: CallPeer[];
  close: () => void;
}

interface Harness {
  workerPid: number;
  /** Opens one three-party session with everyone speaking and hearing the others; returns first-audio ms. */
  open(): Promise<{ live: Live; firstAudioMs: number }>;
  /** Server-side counters summed over every producer and consumer. */
  counters(): Promise<{ inPackets: number; inLost: number; outPackets: number; outLost: number }>;
  close(): Promise<void>;
}

async function sumStats(producers: Producer[], consumers: Consumer[]) {
  let inPackets = 0,
    inLost = 0,
    outPackets = 0,
    outLost = 0;
  for (const p of producers) {
    for (const s of (await p.getStats().catch(() => [])) as any[]) {
      inPackets += s.packetCount ?? 0;
      inLost += s.packetsLost ?? 0;
    }
  }
  for (const c of consumers) {
    for (const s of (await c.getStats().catch(() => [])) as any[]) {
      if (s.type !== 'outbound-rtp') continue;
      outPackets += s.packetCount ?? 0;
      outLost += s.packetsLost ?? 0;
    }
  }
  return { inPackets, inLost, outPackets, outLost };
}

async function puenteHarness(): Promise<Harness> {
  const dbName = `puente_bench_media_${Math.random().toString(16).slice(2, 10)}`;
  await adminQuery(`CREATE DATABASE ${dbName}`);
  const ds = await new DataSource(dataSourceOptions(dbUrl(dbName))).initialize();
  await runMigrationsLocked(ds);
  await ds.destroy();
  const t: TestApp = await startTestApp({
    DATABASE_URL: dbUrl(dbName),
    HOME_COUNTRY: 'GT',
    MATCHING_SWEEP_SECONDS: '0.5',
    OFFER_RING_SECONDS: '60',
    LOG_LEVEL: APP_LOG_LEVEL,
  });
  const mam = await languageId(t, 'mam');
  const sockets: TestSocket[] = [];
  const inspection = t.app.get(MediaInspection);
  return {
    workerPid: t.app.get(MediaService).workerStatus()[0].pid!,
    async open() {
      const ana = await interpreter(t, { languages: 'mam:5' });
      const c = await caller(t);
      const official = await createStaff(t, 'official', { country: 'GT' });
      const offSock = await connect(t.url, official.token);
      sockets.push(ana.socket, c, offSock);
      await c.call('request:create', { languageId: mam, matter: 'violence', urgency: 'urgent', minor: false });
      const offer = await within(ana.socket.next('offer:new'), 20_000, 'the offer');
      const t0 = nowMs();
      const accepted = ana.socket.call('offer:accept', { offerId: offer.offerId });
      // Both sides start their media as soon as they learn the session id, as the clients do.
      const herSide = (async () => {
        const u = await within(
          c.next('request:update', (x) => x.state === 'accepted' && !!x.sessionId),
          20_000,
          'the acceptance',
        );
        const her = await new CallPeer(c, u.sessionId!).start();
        const a = attach(her, c.socket as unknown as EventEmitter, u.sessionId!, () => c.seen('session:newProducer'));
        await her.speak();
        const theirs = await a.producerOf('interpreter');
        return { her, t1: await firstAudio(her, theirs) };
      })();
      const themSide = (async () => {
        const { sessionId } = await accepted;
        const them = await new CallPeer(ana.socket, sessionId).start();
        attach(them, ana.socket.socket as unknown as EventEmitter, sessionId, () => ana.socket.seen('session:newProducer'));
        await them.speak();
        return { them, sessionId: sessionId as string };
      })();
      const [{ her, t1 }, { them, sessionId }] = await Promise.all([herSide, themSide]);
      await t.sql(`UPDATE sessions SET official_id = $1 WHERE id = $2`, [official.id, sessionId]);
      const off = await new CallPeer(offSock, sessionId).start();
      attach(off, offSock.socket as unknown as EventEmitter, sessionId, () => offSock.seen('session:newProducer'));
      await off.speak();
      const peers = [her, them, off];
      return { live: { peers, close: () => peers.forEach((p) => p.close()) }, firstAudioMs: t1 - t0 };
    },
    async counters() {
      const { producers, consumers } = inspection.everyProducerAndConsumer();
      return sumStats(producers, consumers);
    },
    async close() {
      sockets.forEach((s) => s.close());
      await t.close();
      await adminQuery(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    },
  };
}

/** Signalling without Puente: what a minimal mediasoup application does, in-process, for the same clients. */
async function bareHarness(): Promise<Harness> {
  // The same worker log level as the application's worker gets from its LOG_LEVEL.
  const worker: Worker = await mediasoup.createWorker({ logLevel: workerLogLevel(APP_LOG_LEVEL) });
  const port = await freePort();
  const server: WebRtcServer = await worker.createWebRtcServer({
    listenInfos: (['udp', 'tcp'] as const).map((protocol) => ({ protocol, ip: '127.0.0.1', port })),
  });
  const routers: Router[] = [];
  const producers: Producer[] = [];
  const consumers: Consumer[] = [];
  let n = 0;
  return {
    workerPid: worker.pid,
    async open() {
      const router = await worker.createRouter({ mediaCodecs: MEDIA_CODECS });
      routers.push(router);
      const sessionId = `bare-${n++}`;
      const bus: EventEmitter[] = [];
      const present: { role: string; producers: { producerId: string; kind: string }[] }[] = [];
      const fake = (role: string) => {
        const events = new EventEmitter();
        bus.push(events);
        const transports = new Map<string, WebRtcTransport>();
        const mine = new Map<string, Consumer>();
        const me = { role, producers: [] as { producerId: string; kind: string }[] };
        const call = async (event: string, p: any): Promise<any> => {
          switch (event) {
            case 'session:join': {
              const others = present.map((x) => ({ role: x.role, producers: [...x.producers] }));
              present.push(me);
              return { routerRtpCapabilities: router.rtpCapabilities, iceServers: [], participants: others };
            }
            case 'media:createTransport': {
              const tr = await router.createWebRtcTransport({
                webRtcServer: server,
                enableUdp: true,
                enableTcp: true,
                preferUdp: true,
                initialAvailableOutgoingBitrate: INITIAL_OUTGOING_BITRATE,
                appData: { direction: p.direction },
              });
              transports.set(tr.id, tr);
              return { id: tr.id, iceParameters: tr.iceParameters, iceCandidates: tr.iceCandidates, dtlsParameters: tr.dtlsParameters };
            }
            case 'media:connectTransport':
              await transports.get(p.transportId)!.connect({ dtlsParameters: p.dtlsParameters });
              return {};
            case 'media:produce': {
              const pr = await transports.get(p.transportId)!.produce({ kind: p.kind, rtpParameters: p.rtpParameters });
              producers.push(pr);
              me.producers.push({ producerId: pr.id, kind: pr.kind });
              for (const other of bus)
                if (other !== events) other.emit('session:newProducer', { sessionId, producerId: pr.id, role, kind: pr.kind });
              return { producerId: pr.id };
            }
            case 'media:consume': {
              const recv = [...transports.values()].find((x) => x.appData.direction === 'recv')!;
              const c = await recv.consume({ producerId: p.producerId, rtpCapabilities: p.rtpCapabilities, paused: true });
              consumers.push(c);
              mine.set(c.id, c);
              return { consumerId: c.id, producerId: p.producerId, kind: c.kind, rtpParameters: c.rtpParameters };
            }
            case 'media:resumeConsumer':
              await mine.get(p.consumerId)!.resume();
              return {};
            default:
              throw new Error(`bare signalling: ${event}`);
          }
        };
        return { sock: { call, socket: events } as unknown as TestSocket, events };
      };
      const t0 = nowMs();
      const her = fake('caller');
      const them = fake('interpreter');
      const off = fake('official');
      const hp = await new CallPeer(her.sock, sessionId).start();
      const ha = attach(hp, her.events, sessionId);
      const tp = await new CallPeer(them.sock, sessionId).start();
      attach(tp, them.events, sessionId);
      await Promise.all([hp.speak(), tp.speak()]);
      const t1 = await firstAudio(hp, await ha.producerOf('interpreter'));
      const op = await new CallPeer(off.sock, sessionId).start();
      attach(op, off.events, sessionId);
      await op.speak();
      const peers = [hp, tp, op];
      return { live: { peers, close: () => peers.forEach((p) => p.close()) }, firstAudioMs: t1 - t0 };
    },
    counters: () => sumStats(producers, consumers),
    async close() {
      for (const r of routers) r.close();
      await worker.dump().catch(() => undefined);
      worker.close();
    },
  };
}

interface LevelResult {
  mode: Mode;
  run: number;
  sessions: number;
  workerCpuPct: number;
  nodeCpuPct: number;
  machineCpuPct: number;
  othersCpuPct: number;
  inLossPct: number;
  outLossPct: number;
  inPackets: number;
  outPackets: number;
  firstAudioMs: number[];
}

async function runMode(mode: Mode, run: number): Promise<LevelResult[]> {
  await waitForQuiet(settings.quietPct, deadline, log);
  const h = mode === 'puente' ? await puenteHarness() : await bareHarness();
  const live: Live[] = [];
  const results: LevelResult[] = [];
  try {
    for (const level of settings.levels) {
      if (Date.now() > deadline) break;
      const firsts: number[] = [];
      let failed = false;
      while (live.length < level) {
        const opened = await h.open().catch((e: Error) => {
          log(`${mode} run ${run}: opening a session failed (${e.message}); this run stops at ${live.length} sessions`);
          return null;
        });
        if (!opened) {
          failed = true;
          break;
        }
        live.push(opened.live);
        firsts.push(opened.firstAudioMs);
      }
      if (failed) break;
      await sleep(3000); // let the newest sessions settle before the window
      const c0 = await h.counters();
      const cpu = new CpuWindow({ worker: [h.workerPid], node: [process.pid] }).start();
      await sleep(settings.measureMs);
      const usage = cpu.stop();
      const c1 = await h.counters();
      const inP = c1.inPackets - c0.inPackets;
      const inL = c1.inLost - c0.inLost;
      const outP = c1.outPackets - c0.outPackets;
      const outL = c1.outLost - c0.outLost;
      const r: LevelResult = {
        mode,
        run,
        sessions: level,
        workerCpuPct: +usage.pct.worker.toFixed(1),
        nodeCpuPct: +usage.pct.node.toFixed(1),
        machineCpuPct: +usage.machinePct.toFixed(1),
        othersCpuPct: +Math.max(0, usage.machinePct - usage.pct.worker - usage.pct.node).toFixed(1),
        inLossPct: inP + inL > 0 ? +((100 * Math.max(0, inL)) / (inP + inL)).toFixed(3) : NaN,
        outLossPct: outP > 0 ? +((100 * Math.max(0, outL)) / outP).toFixed(3) : NaN,
        inPackets: inP,
        outPackets: outP,
        firstAudioMs: firsts.map((x) => +x.toFixed(1)),
      };
      results.push(r);
      log(
        `${mode} run ${run} sessions=${level}: worker ${r.workerCpuPct}% node ${r.nodeCpuPct}% machine ${r.machineCpuPct}% others ${r.othersCpuPct}% in-loss ${r.inLossPct}% out-loss ${r.outLossPct}% in ${inP} pkts out ${outP} pkts first-audio ${r.firstAudioMs.join(',')} ms`,
      );
    }
  } finally {
    live.forEach((l) => l.close());
    await sleep(500);
    await h.close().catch((e) => log(`close: ${(e as Error).message}`));
  }
  return results;
}

function table(rs: LevelResult[]): string {
  const lines = [
    '| sessions | server | runs | worker CPU (% of a core) | per session | clients+app Node CPU (%) | loss in (clients→server) % | loss out (server→clients, RR) % | packets in / s | first audio median / max (ms) | others CPU (%) |',
    '|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const n of settings.levels) {
    for (const mode of settings.modes) {
      const xs = rs.filter((r) => r.sessions === n && r.mode === mode);
      if (!xs.length) continue;
      const m = (f: (r: LevelResult) => number) => median(xs.map(f));
      const firsts = xs.flatMap((r) => r.firstAudioMs);
      lines.push(
        `| ${n} | ${mode} | ${xs.length} | ${m((r) => r.workerCpuPct).toFixed(1)} | ${(m((r) => r.workerCpuPct) / n).toFixed(2)} | ${m((r) => r.nodeCpuPct).toFixed(0)} | ${m((r) => r.inLossPct).toFixed(3)} | ${m((r) => r.outLossPct).toFixed(3)} | ${(m((r) => r.inPackets) / (settings.measureMs / 1000)).toFixed(0)} | ${firsts.length ? `${median(firsts).toFixed(0)} / ${Math.max(...firsts).toFixed(0)} (${firsts.length} new)` : '-'} | ${m((r) => r.othersCpuPct).toFixed(0)} |`,
      );
    }
  }
  return lines.join('\n');
}

async function main() {
  mkdirSync(OUT, { recursive: true });
  const info = { ...machine(), mediasoup: mediasoup.version, settings };
  log(JSON.stringify(info));
  const all: LevelResult[] = [];
  for (let run = 1; run <= settings.runs; run++) {
    // The order of the servers rotates with each run.
    for (const mode of settings.modes.map((_, i) => settings.modes[(i + run - 1) % settings.modes.length])) {
      if (Date.now() > deadline) break;
      all.push(...(await runMode(mode, run)));
      writeFileSync(join(OUT, 'webrtc.json'), JSON.stringify({ info, results: all }, null, 2));
    }
  }
  const md = table(all);
  writeFileSync(join(OUT, 'webrtc.md'), md + '\n');
  console.log(md);
}

setTimeout(
  () => {
    console.error('[webrtc-bench] hard time limit: exiting');
    process.exit(2);
  },
  (settings.maxMinutes + 10) * 60_000,
).unref();

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
