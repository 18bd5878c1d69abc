/**
 * Media benchmark (issue 4), plain-RTP part: N concurrent three-party audio sessions on ONE mediasoup
 * worker, each party sending Opus-shaped RTP at 50 packets a second and receiving the other two.
 *
 * Three servers, measured in the same run, taking turns at every step (the order rotates each run) so that
 * drift hits all alike, with the same log level (errors only) and the same shape per party (a send and a
 * receive transport, or Janus's nearest equivalent):
 *   bare    require('mediasoup').createWorker() and worker.createRouter() with an Opus codec: no Puente code.
 *   puente  Puente's own media code: WorkerPoolService (the worker with its WebRtcServer, the session codecs
 *           of media-codecs.ts), and RoomsService with its Rooms and Peers, called per party as the gateway calls
 *           it (join, createTransport, connectTransport, produce under the caps and the voice policy,
 *           consume paused, resumeConsumer). Only the session records and socket.io are stubbed.
 *   janus   Debian's Janus, VideoRoom remote publishers and rtp_forward (janus.ts), if `janus` is installed.
 * The transports are PlainTransports: a BENCH-ONLY path (PlainRoom and PlainRoomsService below, through the
 * overridable RoomsService.newRoom; the application never makes one, and no-recording.spec.ts scans src/
 * for any such transport) that lets Node UDP sockets play the clients without SRTP, so that a 2-core
 * machine can drive the worker towards its ceiling. webrtc.bench.ts measures the real clients.
 *
 * The load (rtp-generator.ts) runs in BENCH_GENERATORS child processes. The worker and the generators
 * share the machine's cores: the table reports the generators' CPU next to the worker's, and a step where
 * the generators fall behind their schedule says so (late sends).
 *
 * Run: `npx tsc -p bench/media/tsconfig.json && node bench/media/dist/bench/media/plain-rtp.bench.js`
 * Settings (environment): BENCH_SESSIONS (50,100,200,400,600)  BENCH_RUNS (3)  BENCH_MODES (bare,puente,janus)
 *   BENCH_SECONDS (15: measurement window)  BENCH_WARMUP_SECONDS (3)  BENCH_GENERATORS (2)
 *   BENCH_PAYLOAD_BYTES (50)  BENCH_PPS (50)  BENCH_MAX_MINUTES (30: no new step starts after that)
 *   BENCH_QUIET_PCT (25) BENCH_MAX_OTHERS_PCT (25) BENCH_ATTEMPTS (4): the machine is shared, so a step
 *   starts only when the machine is that quiet, and one during which other processes used more CPU than
 *   that is kept apart (`disturbed` in the JSON) and measured again.
 * Writes bench/media/results/plain-rtp.json and prints a Markdown table. Loopback only; every loop is
 * bounded; the worker and the generators are stopped at the end of each step.
 */
import { ChildProcess, fork, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as mediasoup from 'mediasoup';
import type { PlainTransport, Router, RtpCodecCapability, Worker } from 'mediasoup/node/lib/types';
import type { DataSource } from 'typeorm';
import type { Principal } from '../../src/auth/principal';
import type { AppConfig } from '../../src/config/config.schema';
import type { Peer } from '../../src/media/peer';
import type { RealtimeService } from '../../src/realtime/realtime.service';
import { Room, TellParticipant } from '../../src/media/room';
import { RoomsService } from '../../src/media/rooms.service';
import type { SessionsService } from '../../src/sessions/sessions.service';
import { CreatedRouter, WorkerPoolService } from '../../src/media/worker-pool.service';
import { Janus } from './janus';
import { CpuWindow, machine, median, sleep, waitForQuiet } from './proc';

/** Debian's janus, if installed (`apt-get install janus`). */
function janusInstalled(): boolean {
  return /Janus version/.test(spawnSync('janus', ['-V'], { encoding: 'utf8' }).stdout ?? '');
}

const num = (name: string, dflt: number) => (process.env[name] ? Number(process.env[name]) : dflt);
const list = (name: string, dflt: string) =>
  (process.env[name] ?? dflt)
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

const settings = {
  sessions: list('BENCH_SESSIONS', '50,100,200,400,600').map(Number),
  runs: num('BENCH_RUNS', 3),
  modes: list('BENCH_MODES', janusInstalled() ? 'bare,puente,janus' : 'bare,puente') as Mode[],
  measureMs: num('BENCH_SECONDS', 15) * 1000,
  warmupMs: num('BENCH_WARMUP_SECONDS', 3) * 1000,
  drainMs: 500,
  generators: num('BENCH_GENERATORS', 2),
  payloadBytes: num('BENCH_PAYLOAD_BYTES', 50),
  pps: num('BENCH_PPS', 50),
  maxMinutes: num('BENCH_MAX_MINUTES', 30),
  /** A step is measured only once the machine is this quiet (busy % of one core, everything counted)... */
  quietPct: num('BENCH_QUIET_PCT', 25),
  /** ...and is done again (up to `attempts` times) if other processes used more than this during its window. */
  maxOthersPct: num('BENCH_MAX_OTHERS_PCT', 25),
  attempts: num('BENCH_ATTEMPTS', 4),
};
const PARTIES = 3;
const deadline = Date.now() + settings.maxMinutes * 60_000;
const OUT = join(__dirname, '..', '..', '..', '..', 'media', 'results');
const log = (msg: string) => console.log(`[media-bench] ${new Date().toISOString().slice(11, 19)} ${msg}`);

type Mode = 'bare' | 'puente' | 'janus';

const OPUS: RtpCodecCapability = { kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 };
const LISTEN = '127.0.0.1';
/** The worker's log level, the same for both servers (the application's worker uses workerLogLevel(LOG_LEVEL)). */
const LOG_LEVEL = 'error';
const PLAIN = { listenIp: { ip: LISTEN }, rtcpMux: true, comedia: false } as const;

/** Opus as the generators send it (PT 100, the router's), declared the way the voice policy asks. */
const opusParameters = (ssrc: number) => ({
  codecs: [
    { mimeType: 'audio/opus', payloadType: 100, clockRate: 48000, channels: 2, parameters: { minptime: 10, useinbandfec: 1, usedtx: 1 } },
  ],
  encodings: [{ ssrc }],
});
const randomSsrc = () => 1 + Math.floor(Math.random() * 0xfffffff0);

/** Where a party's generator socket sends its RTP, and the SSRC it uses. */
interface Target {
  port: number;
  ssrc: number;
}

/** A worker, and a way to set up one three-party session on it, with Puente's code or without. */
interface Server {
  pid: number;
  /** Sets up a session whose parties receive at `ports` (each sends from the same socket). */
  session(id: string, ports: number[]): Promise<Target[]>;
  close(): Promise<void>;
}

/**
 * A bare mediasoup application: a worker, one router per session with Opus only, and per party a send
 * and a receive PlainTransport (the same shape Puente gives each participant), consumers created running.
 */
async function bareServer(): Promise<Server> {
  const worker: Worker = await mediasoup.createWorker({ logLevel: LOG_LEVEL });
  const routers: Router[] = [];
  return {
    pid: worker.pid,
    async session(_id, ports) {
      const router = await worker.createRouter({ mediaCodecs: [OPUS] });
      routers.push(router);
      const parties = [];
      for (const port of ports) {
        const send = await router.createPlainTransport(PLAIN);
        const recv = await router.createPlainTransport(PLAIN);
        await send.connect({ ip: LISTEN, port });
        await recv.connect({ ip: LISTEN, port });
        const ssrc = randomSsrc();
        const producer = await send.produce({ kind: 'audio', rtpParameters: opusParameters(ssrc) });
        parties.push({ send, recv, producer, ssrc });
      }
      for (const [p, party] of parties.entries()) {
        for (const [q, other] of parties.entries())
          if (q !== p) await party.recv.consume({ producerId: other.producer.id, rtpCapabilities: router.rtpCapabilities });
      }
      return parties.map((x) => ({ port: x.send.tuple.localPort, ssrc: x.ssrc }));
    },
    async close() {
      for (const r of routers) r.close();
      await worker.dump().catch(() => undefined); // answered after the closes: nothing is torn down under the worker
      worker.close();
    },
  };
}

/**
 * BENCH-ONLY: a Room whose participants' transports are PlainTransports, so that Node UDP sockets can
 * play the clients. Everything else is Puente's own code (RoomsService: join, the caps, the voice policy,
 * setMaxIncomingBitrate, paused consumers resumed). The application never makes one: its RoomsService
 * makes plain Rooms, which create WebRTC transports only.
 */
class PlainRoom extends Room {
  readonly plain = new Map<string, PlainTransport>();

  protected override async newTransport(peer: Peer, direction: 'send' | 'recv'): ReturnType<Room['newTransport']> {
    const t = await this.router.createPlainTransport({ ...PLAIN, appData: { role: peer.role, direction } });
    this.plain.set(t.id, t);
    // Peer.connectTransport passes {dtlsParameters}; here those are the generator's address.
    const connect = t.connect.bind(t);
    (t as unknown as { connect: (a: { dtlsParameters: { ip: string; port: number } }) => Promise<void> }).connect = ({ dtlsParameters }) =>
      connect(dtlsParameters);
    return t as unknown as Awaited<ReturnType<Room['newTransport']>>;
  }
}

class PlainRoomsService extends RoomsService {
  readonly made = new Map<string, PlainRoom>();

  protected override newRoom(sessionId: string, { router, webRtcServer, workerIndex }: CreatedRouter, tell: TellParticipant): Room {
    const room = new PlainRoom(sessionId, router, webRtcServer, workerIndex, tell);
    this.made.set(sessionId, room);
    return room;
  }
}

/**
 * Puente's media code driven in-process: WorkerPoolService (the worker, its WebRtcServer, the session codecs
 * of media-codecs.ts), and RoomsService with its Rooms and Peers, called as the gateway calls it for each party:
 * join, createTransport send and recv, connectTransport, produce, consume (paused) and resumeConsumer. Only
 * the session records and socket.io around it are stubbed (no database, no clients to push to).
 */
async function puenteServer(rtcPort: number): Promise<Server> {
  const config = {
    MEDIASOUP_WORKERS: 1,
    MEDIASOUP_RTC_PORT: rtcPort,
    MEDIASOUP_LISTEN_IP: LISTEN,
    MEDIASOUP_ANNOUNCED_ADDRESS: undefined,
    MEDIASOUP_WORKER_BIN: process.env.MEDIASOUP_WORKER_BIN,
    LOG_LEVEL,
    TURN_URLS: [],
  } as unknown as AppConfig;
  const pool = new WorkerPoolService(config);
  await pool.onModuleInit();
  const roles = ['caller', 'interpreter', 'official'] as const;
  const sessions = {
    participantRole: async (_id: string, p: Principal) => p.role as (typeof roles)[number],
    onEnded: () => undefined,
    find: async () => null,
    markJoined: async () => undefined,
    markStarted: async () => undefined,
  } as unknown as SessionsService;
  const realtime = { emit: () => undefined } as unknown as RealtimeService;
  // No database: a session whose worker died is never ended here.
  const rooms = new PlainRoomsService(pool, sessions, realtime, config, {} as DataSource);
  rooms.onModuleInit();
  return {
    pid: pool.snapshot()[0].pid!,
    async session(id, ports) {
      const sockets = roles.map((role) => `${id}-${role}`);
      const parties = [];
      for (const [p, role] of roles.entries()) {
        const join = await rooms.join({ role, sub: sockets[p] } as unknown as Principal, sockets[p], id);
        const send = await rooms.createTransport(sockets[p], id, 'send');
        const recv = await rooms.createTransport(sockets[p], id, 'recv');
        for (const t of [send, recv]) await rooms.connectTransport(sockets[p], t.id, { ip: LISTEN, port: ports[p] });
        const ssrc = randomSsrc();
        const { producerId } = await rooms.produce(sockets[p], send.id, 'audio', opusParameters(ssrc));
        parties.push({ send, producerId, ssrc, caps: join.routerRtpCapabilities });
      }
      for (const [p, party] of parties.entries()) {
        for (const [q, other] of parties.entries()) {
          if (q === p) continue;
          const { consumerId } = await rooms.consume(sockets[p], id, other.producerId, party.caps);
          await rooms.resumeConsumer(sockets[p], id, consumerId);
        }
      }
      const room = rooms.made.get(id)!;
      return parties.map((x) => ({ port: room.plain.get(x.send.id)!.tuple.localPort, ssrc: x.ssrc }));
    },
    async close() {
      for (const id of rooms.made.keys()) rooms.closeRoom(id);
      await pool.onApplicationShutdown();
    },
  };
}

/** Debian's Janus in the same shape (janus.ts): the third point of comparison. */
async function janusServer(): Promise<Server> {
  const janus = await Janus.start(await freeUdpTcpPort());
  return { pid: janus.pid, session: (_id, ports) => janus.session3(ports), close: () => janus.stop() };
}

interface GenResult {
  sentInWindow: number;
  sentTotal: number;
  expected: number;
  received: number;
  rtcp: number;
  hist: [number, number][];
  overflow2s: number;
  maxLateMs: number;
  lateSends: number;
}

class Generator {
  readonly proc: ChildProcess;
  private waiters = new Map<string, (m: any) => void>();

  constructor() {
    this.proc = fork(join(__dirname, 'rtp-generator.js'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.proc.on('message', (m: any) => {
      const w = this.waiters.get(m.type);
      this.waiters.delete(m.type);
      w?.(m);
    });
  }

  ask<T = any>(msg: unknown, reply: string, timeoutMs = 120_000): Promise<T> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`generator did not answer ${reply}`)), timeoutMs);
      this.waiters.set(reply, (m) => {
        clearTimeout(timer);
        resolve(m);
      });
      this.proc.send(msg as any);
    });
  }

  stop() {
    try {
      this.proc.send({ type: 'exit' });
    } catch {
      /* already gone */
    }
    setTimeout(() => this.proc.kill('SIGKILL'), 2000).unref();
  }
}

async function freeUdpTcpPort(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/** Runs `fn` over `items` with at most `limit` at a time. */
async function pool<T>(items: T[], limit: number, fn: (item: T, i: number) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        await fn(items[i], i);
      }
    }),
  );
}

interface StepResult {
  mode: Mode;
  sessions: number;
  run: number;
  setupMs: number;
  workerCpuPct: number;
  generatorsCpuPct: number;
  benchCpuPct: number;
  machineCpuPct: number;
  /** The machine's CPU used by processes outside this benchmark (the machine is shared with other work). */
  othersCpuPct: number;
  lossPct: number;
  sent: number;
  expected: number;
  received: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number };
  generatorMaxLateMs: number;
  generatorLateSends: number;
}

async function step(mode: Mode, sessions: number, run: number): Promise<StepResult> {
  const server =
    mode === 'bare' ? await bareServer() : mode === 'puente' ? await puenteServer(await freeUdpTcpPort()) : await janusServer();
  const gens = Array.from({ length: Math.min(settings.generators, sessions) }, () => new Generator());
  try {
    // Session s lives wholly in generator s % G: a party's peers are in the same process.
    const owned = gens.map((_, g) => Array.from({ length: sessions }, (_, s) => s).filter((s) => s % gens.length === g));
    const ports = await Promise.all(
      gens.map((g, i) => g.ask<{ ports: number[] }>({ type: 'bind', parties: owned[i].length * PARTIES }, 'ports')),
    );
    const targets = gens.map((_, i) => new Array<{ port: number; ssrc: number }>(owned[i].length * PARTIES));
    const setupStart = Date.now();
    const where = Array.from({ length: sessions }, (_, s) => ({ g: s % gens.length, k: Math.floor(s / gens.length) }));
    await pool(where, 16, async ({ g, k }, s) => {
      const slots = Array.from({ length: PARTIES }, (_, p) => k * PARTIES + p);
      const made = await server.session(
        `s${s}-${randomBytes(3).toString('hex')}`,
        slots.map((slot) => ports[g].ports[slot]),
      );
      slots.forEach((slot, p) => (targets[g][slot] = made[p]));
    });
    const setupMs = Date.now() - setupStart;
    await Promise.all(gens.map((g, i) => g.ask({ type: 'targets', targets: targets[i] }, 'ready')));

    const cpu = new CpuWindow({ worker: [server.pid], generators: gens.map((g) => g.proc.pid!), bench: [process.pid] });
    const results = Promise.all(
      gens.map((g) =>
        g.ask<GenResult>(
          {
            type: 'run',
            warmupMs: settings.warmupMs,
            measureMs: settings.measureMs,
            drainMs: settings.drainMs,
            pps: settings.pps,
            payloadBytes: settings.payloadBytes,
            fanout: PARTIES - 1,
          },
          'result',
          settings.warmupMs + settings.measureMs + 60_000,
        ),
      ),
    );
    await sleep(settings.warmupMs);
    cpu.start();
    await sleep(settings.measureMs);
    const usage = cpu.stop();
    const rs = await results;

    const hist = new Map<number, number>();
    let overflow = 0;
    for (const r of rs) {
      for (const [b, c] of r.hist) hist.set(b, (hist.get(b) ?? 0) + c);
      overflow += r.overflow2s;
    }
    const received = rs.reduce((a, r) => a + r.received, 0);
    const expected = rs.reduce((a, r) => a + r.expected, 0);
    const sorted = [...hist.entries()].sort((a, b) => a[0] - b[0]);
    const pct = (p: number) => {
      const rank = Math.ceil((p / 100) * received);
      let seen = 0;
      for (const [b, c] of sorted) {
        seen += c;
        if (seen >= rank) return +((b + 0.5) * 0.01).toFixed(2);
      }
      return overflow ? Infinity : NaN;
    };
    return {
      mode,
      sessions,
      run,
      setupMs,
      workerCpuPct: +usage.pct.worker.toFixed(1),
      generatorsCpuPct: +usage.pct.generators.toFixed(1),
      benchCpuPct: +usage.pct.bench.toFixed(1),
      machineCpuPct: +usage.machinePct.toFixed(1),
      othersCpuPct: +Math.max(0, usage.machinePct - usage.pct.worker - usage.pct.generators - usage.pct.bench).toFixed(1),
      lossPct: expected ? +((100 * Math.max(0, expected - received)) / expected).toFixed(3) : NaN,
      sent: rs.reduce((a, r) => a + r.sentInWindow, 0),
      expected,
      received,
      latencyMs: { p50: pct(50), p90: pct(90), p99: pct(99), max: pct(100) },
      generatorMaxLateMs: +Math.max(...rs.map((r) => r.maxLateMs)).toFixed(1),
      generatorLateSends: rs.reduce((a, r) => a + r.lateSends, 0),
    };
  } finally {
    gens.forEach((g) => g.stop());
    await server.close().catch((e) => log(`closing the server: ${(e as Error).message}`));
    await sleep(500);
  }
}

function table(results: StepResult[]): string {
  const lines = [
    '| sessions | server | runs | worker CPU (% of a core) | worker CPU per driven session (% of a core; share of the schedule sent) | loss % | added delay p50 / p99 (ms) | generators CPU (%) | machine CPU (% of 200) | others CPU (%) | generator max late (ms) |',
    '|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const n of settings.sessions) {
    for (const mode of settings.modes) {
      const rs = results.filter((r) => r.sessions === n && r.mode === mode);
      if (!rs.length) continue;
      const m = (f: (r: StepResult) => number) => median(rs.map(f));
      // Sessions actually driven: a starved generator sends less than it should, and the worker then works less.
      const driven = (r: StepResult) => r.sent / (PARTIES * settings.pps * (settings.measureMs / 1000));
      lines.push(
        `| ${n} | ${mode} | ${rs.length} | ${m((r) => r.workerCpuPct).toFixed(1)} | ${m((r) => r.workerCpuPct / driven(r)).toFixed(3)} (${m((r) => (100 * driven(r)) / n).toFixed(0)}% sent) | ${m((r) => r.lossPct).toFixed(3)} | ${m((r) => r.latencyMs.p50).toFixed(2)} / ${m((r) => r.latencyMs.p99).toFixed(2)} | ${m((r) => r.generatorsCpuPct).toFixed(0)} | ${m((r) => r.machineCpuPct).toFixed(0)} | ${m((r) => r.othersCpuPct).toFixed(0)} | ${m((r) => r.generatorMaxLateMs).toFixed(1)} |`,
      );
    }
  }
  const ratios: string[] = ['', '| sessions | server | its CPU / bare worker CPU (median of per-run ratios; runs) |', '|---:|---|---:|'];
  for (const n of settings.sessions) {
    for (const mode of settings.modes.filter((m) => m !== 'bare')) {
      const per: number[] = [];
      for (let run = 1; run <= settings.runs; run++) {
        const b = results.find((r) => r.sessions === n && r.mode === 'bare' && r.run === run);
        const x = results.find((r) => r.sessions === n && r.mode === mode && r.run === run);
        if (b && x && b.workerCpuPct > 0) per.push(x.workerCpuPct / b.workerCpuPct);
      }
      if (per.length) ratios.push(`| ${n} | ${mode} | ${median(per).toFixed(3)} (${per.map((x) => x.toFixed(3)).join(', ')}) |`);
    }
  }
  return [...lines, ...ratios].join('\n');
}

const quiet = () => waitForQuiet(settings.quietPct, deadline, log);

async function main() {
  mkdirSync(OUT, { recursive: true });
  const info = { ...machine(), mediasoup: mediasoup.version, settings };
  log(JSON.stringify(info));
  const results: StepResult[] = [];
  const failures: { mode: Mode; sessions: number; run: number; error: string }[] = [];
  const disturbed: StepResult[] = [];
  const save = () => writeFileSync(join(OUT, 'plain-rtp.json'), JSON.stringify({ info, results, disturbed, failures }, null, 2));
  outer: for (let run = 1; run <= settings.runs; run++) {
    for (const n of settings.sessions) {
      // The order of the servers rotates with each run, so that drift over a run does not favour one.
      for (const mode of settings.modes.map((_, i) => settings.modes[(i + run - 1) % settings.modes.length])) {
        if (Date.now() > deadline) {
          log('time limit reached: no new step');
          break outer;
        }
        let r: StepResult | null = null;
        for (let attempt = 1; attempt <= settings.attempts && Date.now() < deadline; attempt++) {
          await quiet();
          try {
            r = await step(mode, n, run);
          } catch (e) {
            // A server that cannot set a step up is reported, and the run goes on.
            failures.push({ mode, sessions: n, run, error: (e as Error).message });
            save();
            log(`run ${run} ${mode} N=${n}: FAILED ${(e as Error).message}`);
            r = null;
            break;
          }
          if (r.othersCpuPct <= settings.maxOthersPct) break;
          // Other work on the machine took CPU during the window: kept apart, and measured again.
          disturbed.push(r);
          save();
          log(`run ${run} ${mode} N=${n}: others used ${r.othersCpuPct}% during the window; again`);
          r = null;
        }
        if (!r) continue;
        results.push(r);
        save();
        log(
          `run ${run} ${mode} N=${n}: worker ${r.workerCpuPct}% gens ${r.generatorsCpuPct}% machine ${r.machineCpuPct}% others ${r.othersCpuPct}% loss ${r.lossPct}% delay p50 ${r.latencyMs.p50} p99 ${r.latencyMs.p99} ms late ${r.generatorMaxLateMs} ms setup ${r.setupMs} ms`,
        );
      }
    }
  }
  const md = table(results);
  writeFileSync(join(OUT, 'plain-rtp.md'), md + '\n');
  console.log(md);
}

const hardStop = setTimeout(
  () => {
    console.error('[media-bench] hard time limit: exiting');
    process.exit(2);
  },
  (settings.maxMinutes + 15) * 60_000,
);
hardStop.unref();

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
