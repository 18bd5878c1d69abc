import type { ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { MediaService } from '../src/media/media.service';
import { WorkerDiedEvent, WorkerPoolService, WorkerReplacedEvent } from '../src/media/worker-pool.service';
import { startTestApp, TestApp } from './utils/test-app';

// The module object itself (an `import * as` would be a copy), so that a spy on it is what mediasoup calls.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const childProcess: typeof import('node:child_process') = require('node:child_process');

/** Polls until `check` returns a value (not undefined/false); the test's own timeout bounds the wait. */
async function until<T>(check: () => Promise<T | undefined | false> | T | undefined | false): Promise<T> {
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('media worker pool (real mediasoup workers)', () => {
  let t: TestApp;
  let media: MediaService;
  let pool: WorkerPoolService;
  let closed = false;
  const died: WorkerDiedEvent[] = [];
  const replaced: WorkerReplacedEvent[] = [];
  /** How each worker process ended, seen from outside mediasoup (which forgets a worker it closed itself). */
  const exits = new Map<number, { code: number | null; signal: NodeJS.Signals | null }>();
  const spawned: number[] = [];

  beforeAll(async () => {
    const spawn = childProcess.spawn;
    jest.spyOn(childProcess, 'spawn').mockImplementation(((...args: Parameters<typeof spawn>) => {
      const child = (spawn as (...a: unknown[]) => ChildProcess)(...args);
      // 'close', since mediasoup removes every 'exit' listener of a worker it closes.
      if (String(args[0]).endsWith('mediasoup-worker')) spawned.push(child.pid!);
      if (String(args[0]).endsWith('mediasoup-worker')) child.once('close', (code, signal) => exits.set(child.pid!, { code, signal }));
      return child;
    }) as typeof spawn);
    t = await startTestApp({ MEDIASOUP_WORKERS: '2' });
    media = t.app.get(MediaService);
    pool = t.app.get(WorkerPoolService);
    pool.events.on('workerDied', (e) => died.push(e));
    pool.events.on('workerReplaced', (e) => replaced.push(e));
  });
  afterAll(async () => {
    if (t && !closed) await t.close();
  });

  it('starts one worker per slot, each with a WebRtcServer on its own port, and reports ready', async () => {
    const port = t.config.MEDIASOUP_RTC_PORT;
    const status = media.workerStatus();
    expect(status).toEqual([
      { index: 0, pid: expect.any(Number), alive: true, rtcPort: port },
      { index: 1, pid: expect.any(Number), alive: true, rtcPort: port + 1 },
    ]);
    expect(status[0].pid).not.toBe(status[1].pid);
    expect(status.every((s) => processExists(s.pid!))).toBe(true);

    for (const slot of [0, 1]) {
      const dump = await pool.webRtcServer(slot)!.dump();
      expect(dump.udpSockets).toEqual([{ ip: '127.0.0.1', port: port + slot }]);
      expect(dump.tcpServers).toEqual([{ ip: '127.0.0.1', port: port + slot }]);
    }

    const res = await t.http().get('/health/ready').expect(200);
    expect(res.body.info.mediasoup).toEqual({ status: 'up', alive: 2, configured: 2 });
  });

  it('creates routers on the least-loaded worker, with Opus (FEC, DTX), VP8 and H264', async () => {
    const a = await pool.createRouter();
    const b = await pool.createRouter();
    expect([a.workerIndex, b.workerIndex]).toEqual([0, 1]);
    a.router.close();
    const c = await pool.createRouter();
    expect(c.workerIndex).toBe(0);

    const codecs = c.router.rtpCapabilities.codecs!;
    expect(codecs).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ mimeType: 'audio/opus', parameters: expect.objectContaining({ useinbandfec: 1, usedtx: 1 }) }),
        expect.objectContaining({ mimeType: 'video/VP8' }),
        expect.objectContaining({ mimeType: 'video/H264' }),
      ]),
    );

    // A transport on the slot's WebRtcServer offers exactly that server's port, over UDP and TCP.
    const transport = await c.router.createWebRtcTransport({ webRtcServer: c.webRtcServer, enableUdp: true, enableTcp: true });
    expect(transport.iceCandidates.map((i) => [i.protocol, i.ip, i.port]).sort()).toEqual([
      ['tcp', '127.0.0.1', t.config.MEDIASOUP_RTC_PORT],
      ['udp', '127.0.0.1', t.config.MEDIASOUP_RTC_PORT],
    ]);
    transport.close();
    b.router.close();
    c.router.close();

    const stats = await media.workerStats();
    expect(stats.map((s) => s.routers)).toEqual([0, 0]);
    expect(stats.every((s) => s.resourceUsage && s.resourceUsage.ru_maxrss > 0)).toBe(true);
  });

  it('replaces a worker killed with SIGKILL on the same slot and port while HTTP keeps answering', async () => {
    const before = media.workerStatus();
    // One router on each worker: the one on the killed worker must end with it.
    const first = await pool.createRouter();
    const second = await pool.createRouter();
    const doomed = second.workerIndex === 1 ? second : first;
    const survivor = doomed === first ? second : first;
    expect(doomed.workerIndex).toBe(1);

    process.kill(before[1].pid!, 'SIGKILL');

    const ready = await until(async () => {
      await t.http().get('/health').expect(200);
      const res = await t.http().get('/health/ready');
      const replacedNow = media.workerStatus()[1].pid !== before[1].pid;
      return res.status === 200 && replacedNow ? res.body : undefined;
    });
    expect(ready.info.mediasoup).toEqual({ status: 'up', alive: 2, configured: 2 });

    const after = media.workerStatus();
    expect(after[0]).toEqual(before[0]);
    expect(after[1]).toEqual({ index: 1, pid: expect.any(Number), alive: true, rtcPort: before[1].rtcPort });
    expect(after[1].pid).not.toBe(before[1].pid);
    expect(processExists(before[1].pid!)).toBe(false);
    expect(died).toEqual([{ index: 1, pid: before[1].pid }]);
    expect(replaced).toEqual([{ index: 1, previousPid: before[1].pid, pid: after[1].pid }]);

    expect(doomed.router.closed).toBe(true);
    expect(survivor.router.closed).toBe(false);
    const dump = await pool.webRtcServer(1)!.dump();
    expect(dump.udpSockets).toEqual([{ ip: '127.0.0.1', port: before[1].rtcPort }]);

    // The new worker is empty, so it is now the least loaded.
    const next = await pool.createRouter();
    expect(next.workerIndex).toBe(1);
    const transport = await next.router.createWebRtcTransport({ webRtcServer: next.webRtcServer, enableTcp: false });
    expect(transport.iceCandidates.map((i) => i.port)).toEqual([before[1].rtcPort]);
    next.router.close();
    survivor.router.close();

    const metrics = (await t.http().get('/metrics').expect(200)).text;
    expect(metrics).toMatch(/^puente_mediasoup_workers_alive\{[^}]*\} 2$/m);
    expect(metrics).toMatch(/^puente_mediasoup_worker_restarts_total\{[^}]*worker="1"[^}]*\} 1$/m);
    expect(metrics).toMatch(/^puente_mediasoup_worker_cpu_seconds\{[^}]*worker="1"[^}]*\} [0-9.e-]+$/m);
  });

  it('keeps retrying a replacement that cannot take its port, and succeeds once the port is free', async () => {
    const before = media.workerStatus()[1];
    const diedSoFar = died.length;
    process.kill(before.pid!, 'SIGKILL');
    await until(() => died.length > diedSoFar);

    // Something else takes the slot's UDP port before the replacement starts: its WebRtcServer cannot bind.
    const squatter = createSocket('udp4');
    await new Promise<void>((resolve, reject) => {
      squatter.once('error', reject);
      squatter.bind(before.rtcPort, '127.0.0.1', () => resolve());
    });
    const spawnedSoFar = spawned.length;
    try {
      // A replacement was tried, failed, and its process is gone; the slot is still down, HTTP still answers.
      const failed = await until(() => spawned.slice(spawnedSoFar).find((pid) => exits.has(pid)));
      expect(media.workerStatus()[1].pid).not.toBe(failed);
      await t.http().get('/health').expect(200);
      const res = await t.http().get('/health/ready');
      expect(res.status).toBe(503);
      expect(res.body.error.mediasoup).toEqual({ status: 'down', alive: 1, configured: 2 });
    } finally {
      await new Promise<void>((resolve) => squatter.close(() => resolve()));
    }

    const after = await until(() => {
      const s = media.workerStatus()[1];
      return s.alive ? s : undefined;
    });
    expect(after).toEqual({ index: 1, pid: expect.any(Number), alive: true, rtcPort: before.rtcPort });
    expect(replaced[replaced.length - 1]).toEqual({ index: 1, previousPid: before.pid, pid: after.pid });
    await t.http().get('/health/ready').expect(200);
  });

  it('shuts down with routers and transports still open, leaving no worker process behind', async () => {
    // The Debian build's trap: a WebRtcServer closed under live transports crashes the worker.
    const { router, webRtcServer } = await pool.createRouter();
    await router.createWebRtcTransport({ webRtcServer });
    const pids = media.workerStatus().map((s) => s.pid!);
    const diedBefore = died.length;

    closed = true;
    await t.close();

    expect(pids.filter(processExists)).toEqual([]);
    // A clean exit, not the SIGILL of a WebRtcServer torn down under a live transport.
    await until(() => pids.every((pid) => exits.has(pid)));
    expect(pids.map((pid) => exits.get(pid))).toEqual(pids.map(() => ({ code: 0, signal: null })));
    expect(died.length).toBe(diedBefore);
    expect(media.workerStatus().map((s) => s.alive)).toEqual([false, false]);
  });
});
