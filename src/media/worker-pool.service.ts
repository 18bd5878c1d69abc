import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit, Optional } from '@nestjs/common';
import { createWorker } from 'mediasoup';
import type { Router, WebRtcServer, Worker, WorkerResourceUsage } from 'mediasoup/node/lib/types';
import { EventEmitter } from 'node:events';
import { APP_OPTIONS, AppOptions, MediaOffError } from '../app-options';
import { AppConfig } from '../config/config.schema';
import { MEDIA_CODECS } from './media-codecs';
import { useWorkerBinary } from './worker-binary';
import { leastLoaded, restartDelay, workerLogLevel } from './worker-slots';
import { withTimeout } from '../common/with-timeout';

/** A worker that lives at least this long has recovered: its next death restarts at the base delay. */
const STABLE_AFTER_MS = 30_000;
/** Bound on any request to a worker made while shutting down or probing, so a hung worker blocks nothing. */
const WORKER_REQUEST_TIMEOUT_MS = 2_000;

export interface WorkerDiedEvent {
  index: number;
  pid: number;
}

export interface WorkerReplacedEvent {
  index: number;
  /** The pid of the worker that died. */
  previousPid: number;
  pid: number;
}

export interface PoolEvents {
  /** A worker died: its routers, transports and WebRtcServer are gone; a replacement is on its way. */
  workerDied: [WorkerDiedEvent];
  /** A new worker runs in the slot, with a new WebRtcServer on the slot's port. */
  workerReplaced: [WorkerReplacedEvent];
}

/** One place in the pool: a worker with its WebRtcServer on a fixed port, replaced when it dies. */
interface Slot {
  index: number;
  rtcPort: number;
  worker: Worker | null;
  webRtcServer: WebRtcServer | null;
  routers: Set<Router>;
  /** Routers being created on this worker, counted so that concurrent requests spread. */
  pendingRouters: number;
  startedAt: number;
  /** Consecutive failed starts and early deaths, for the backoff. */
  failures: number;
  restarts: number;
  restartTimer: NodeJS.Timeout | null;
  /** A replacement being started, awaited on shutdown so that no worker outlives the pool. */
  starting: Promise<void> | null;
}

export interface CreatedRouter {
  router: Router;
  /** The worker slot the router lives on; its WebRtcServer is the one to create transports with. */
  workerIndex: number;
  webRtcServer: WebRtcServer;
}

export interface SlotSnapshot {
  index: number;
  pid: number | null;
  alive: boolean;
  rtcPort: number;
  routers: number;
  /** Replacements since start-up. */
  restarts: number;
}

/**
 * The mediasoup workers of this node: MEDIASOUP_WORKERS of them, worker i with a WebRtcServer on
 * MEDIASOUP_RTC_PORT + i (UDP and TCP). Internal to the media module; MediaService is its public face.
 *
 * A worker that dies takes its routers, transports and WebRtcServer with it. Its slot gets a new worker with
 * a new WebRtcServer on the same port shortly after (`workerReplaced`); RoomsService rebuilds the sessions
 * that were on it.
 */
@Injectable()
export class WorkerPoolService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('MediaWorkers');
  private readonly slots: Slot[];
  private closing = false;
  /** Built with `media: false` (AppOptions): no slot, no worker, every router request refused. */
  private readonly off: boolean;
  readonly events = new EventEmitter<PoolEvents>();

  constructor(
    private readonly config: AppConfig,
    @Optional() @Inject(APP_OPTIONS) options: AppOptions = {},
  ) {
    this.off = options.media === false;
    this.slots = Array.from({ length: this.off ? 0 : config.MEDIASOUP_WORKERS }, (_, index) => ({
      index,
      rtcPort: config.MEDIASOUP_RTC_PORT + index,
      worker: null,
      webRtcServer: null,
      routers: new Set<Router>(),
      pendingRouters: 0,
      startedAt: 0,
      failures: 0,
      restarts: 0,
      restartTimer: null,
      starting: null,
    }));
  }

  /** Starts every worker; a node that cannot start its workers must not come up. */
  async onModuleInit(): Promise<void> {
    if (this.off) return;
    const lastPort = this.config.MEDIASOUP_RTC_PORT + this.slots.length - 1;
    if (lastPort > 65535) throw new Error(`MEDIASOUP_RTC_PORT + MEDIASOUP_WORKERS - 1 = ${lastPort} exceeds 65535`);
    useWorkerBinary(this.config.MEDIASOUP_WORKER_BIN);
    const started = await Promise.allSettled(this.slots.map((slot) => this.start(slot)));
    const failed = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) {
      await this.onApplicationShutdown();
      throw failed.reason;
    }
    this.logger.log(`${this.slots.length} mediasoup worker(s) running, WebRtcServer ports ${this.config.MEDIASOUP_RTC_PORT}-${lastPort}`);
  }

  /**
   * Closes routers first and lets each worker confirm it has closed them before the worker itself is
   * stopped: with Debian's hardened abseil, a WebRtcServer torn down while transports still use it
   * crashes the worker (DESIGN.md, "Known trap").
   */
  async onApplicationShutdown(): Promise<void> {
    this.closing = true;
    await Promise.all(
      this.slots.map(async (slot) => {
        if (slot.restartTimer) clearTimeout(slot.restartTimer);
        slot.restartTimer = null;
        await slot.starting?.catch(() => undefined);
        const worker = slot.worker;
        slot.worker = null;
        slot.webRtcServer = null;
        if (!worker || worker.closed) return;
        for (const router of slot.routers) router.close();
        slot.routers.clear();
        // Requests on a worker's channel are answered in order: once this one returns, so have the closes.
        await withTimeout(worker.dump(), WORKER_REQUEST_TIMEOUT_MS, 'mediasoup worker did not answer').catch(() => undefined);
        const pid = worker.pid;
        worker.close();
        await waitForExit(pid, WORKER_REQUEST_TIMEOUT_MS);
      }),
    );
  }

  snapshot(): SlotSnapshot[] {
    return this.slots.map((slot) => ({
      index: slot.index,
      pid: slot.worker?.pid ?? null,
      alive: isAlive(slot.worker),
      rtcPort: slot.rtcPort,
      routers: slot.routers.size,
      restarts: slot.restarts,
    }));
  }

  /**
   * A new router (Opus with FEC and DTX, VP8, H264) on the live worker with the fewest routers. Rejects with
   * NoMediaWorkerError when no worker is running. The caller owns the router and closes it when its session
   * ends; a router on a worker that dies is gone (listen to `events`' `workerDied`).
   */
  async createRouter(): Promise<CreatedRouter> {
    if (this.closing) throw new NoMediaWorkerError();
    const index = leastLoaded(
      this.slots.map((s) => ({ index: s.index, alive: isAlive(s.worker) && !!s.webRtcServer, routers: s.routers.size + s.pendingRouters })),
    );
    if (index === null) throw this.off ? new MediaOffError() : new NoMediaWorkerError();
    const slot = this.slots[index];
    const worker = slot.worker!;
    const webRtcServer = slot.webRtcServer!;
    slot.pendingRouters++;
    try {
      const router = await worker.createRouter({ mediaCodecs: MEDIA_CODECS });
      // The worker may have died or been replaced while the router was being created.
      if (slot.worker !== worker || router.closed) {
        router.close();
        throw new NoMediaWorkerError();
      }
      slot.routers.add(router);
      router.observer.once('close', () => slot.routers.delete(router));
      return { router, workerIndex: index, webRtcServer };
    } finally {
      slot.pendingRouters--;
    }
  }

  /** The WebRtcServer of a slot's current worker, or null while that worker is being replaced. */
  webRtcServer(index: number): WebRtcServer | null {
    const slot = this.slots[index];
    return slot && isAlive(slot.worker) ? slot.webRtcServer : null;
  }

  /** The current worker of a slot (for diagnostics), or null while it is being replaced. */
  worker(index: number): Worker | null {
    const slot = this.slots[index];
    return slot && isAlive(slot.worker) ? slot.worker : null;
  }

  /** The operating system's resource usage of a slot's worker, or null if it is not running or does not answer. */
  async resourceUsage(index: number): Promise<WorkerResourceUsage | null> {
    const worker = this.worker(index);
    if (!worker) return null;
    return withTimeout(worker.getResourceUsage(), WORKER_REQUEST_TIMEOUT_MS, 'mediasoup worker did not answer').catch(() => null);
  }

  private async start(slot: Slot): Promise<void> {
    const worker = await createWorker({
      logLevel: workerLogLevel(this.config.LOG_LEVEL),
      appData: { slot: slot.index },
    });
    try {
      const webRtcServer = await worker.createWebRtcServer({ listenInfos: this.listenInfos(slot.rtcPort) });
      if (this.closing) throw new Error('shutting down');
      if (worker.died || worker.closed) throw new Error('the worker died while starting');
      slot.worker = worker;
      slot.webRtcServer = webRtcServer;
      slot.routers.clear();
      slot.startedAt = Date.now();
      worker.once('died', () => this.onDied(slot, worker));
    } catch (e) {
      worker.close();
      throw e;
    }
  }

  private listenInfos(port: number) {
    const ip = this.config.MEDIASOUP_LISTEN_IP;
    const announced = this.config.MEDIASOUP_ANNOUNCED_ADDRESS;
    const announcedIp = announced && announced !== ip ? announced : undefined;
    return (['udp', 'tcp'] as const).map((protocol) => ({ protocol, ip, port, ...(announcedIp ? { announcedIp } : {}) }));
  }

  private onDied(slot: Slot, worker: Worker): void {
    if (slot.worker !== worker) return;
    const pid = worker.pid;
    // Pid and slot only: the reason string is not needed to act, and a log line should say no more than it must.
    this.logger.warn(`mediasoup worker died (slot ${slot.index}, pid ${pid})`);
    slot.worker = null;
    slot.webRtcServer = null;
    slot.routers.clear();
    if (Date.now() - slot.startedAt >= STABLE_AFTER_MS) slot.failures = 0;
    this.emit('workerDied', { index: slot.index, pid });
    if (!this.closing) this.scheduleRestart(slot, pid);
  }

  /** A listener that throws must not stop the pool (nor reach the process as an unhandled rejection). */
  private emit<E extends keyof PoolEvents>(event: E, ...args: PoolEvents[E]): void {
    for (const listener of this.events.listeners(event)) {
      try {
        (listener as (...a: PoolEvents[E]) => void)(...args);
      } catch (e) {
        this.logger.error(`a ${event} listener failed: ${(e as Error).message}`);
      }
    }
  }

  private scheduleRestart(slot: Slot, previousPid: number): void {
    const delay = restartDelay(slot.failures);
    slot.failures++;
    slot.restartTimer = setTimeout(() => {
      slot.restartTimer = null;
      if (this.closing) return;
      slot.starting = this.start(slot);
      slot.starting.finally(() => (slot.starting = null)).catch(() => undefined);
      slot.starting.then(
        () => {
          slot.restarts++;
          this.logger.log(`mediasoup worker replaced (slot ${slot.index}, pid ${slot.worker?.pid})`);
          this.emit('workerReplaced', { index: slot.index, previousPid, pid: slot.worker!.pid });
        },
        (e: Error) => {
          if (this.closing) return;
          this.logger.error(`mediasoup worker could not be restarted (slot ${slot.index}): ${e.message}; retrying`);
          this.scheduleRestart(slot, previousPid);
        },
      );
    }, delay);
    slot.restartTimer.unref();
  }
}

/** No mediasoup worker is running on this node right now (all died and are being replaced). */
export class NoMediaWorkerError extends Error {
  constructor() {
    super('no mediasoup worker is available');
    this.name = 'NoMediaWorkerError';
  }
}

function isAlive(worker: Worker | null): worker is Worker {
  return !!worker && !worker.closed && !worker.died;
}

/** Waits until a stopped worker's process is gone, so that its ports are free when shutdown returns. */
async function waitForExit(pid: number, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
