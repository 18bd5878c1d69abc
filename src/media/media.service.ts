import { Injectable } from '@nestjs/common';
import type { Router, WebRtcServer, Worker, WorkerResourceUsage } from 'mediasoup/node/lib/types';
import { WorkerDiedEvent, WorkerPoolService, WorkerReplacedEvent } from './worker-pool.service';

export { NoMediaWorkerError } from './worker-pool.service';
export type { WorkerDiedEvent, WorkerReplacedEvent } from './worker-pool.service';

export interface WorkerStatus {
  index: number;
  pid: number | null;
  alive: boolean;
  rtcPort: number;
}

export interface WorkerStats extends WorkerStatus {
  routers: number;
  /** Replacements of this slot's worker since the node started. */
  restarts: number;
  /** The worker process's getrusage(2), null when it is not running or did not answer in time. */
  resourceUsage: WorkerResourceUsage | null;
}

export interface CreatedRouter {
  router: Router;
  /** The worker slot the router lives on; its WebRtcServer is the one to create transports with. */
  workerIndex: number;
  webRtcServer: WebRtcServer;
}

/**
 * The media module's public surface: this node's mediasoup workers and the routers that sessions run on.
 *
 * A worker that dies takes its routers, transports and WebRtcServer with it. Its slot gets a new worker
 * with a new WebRtcServer on the same port shortly after; a session that was on it listens to
 * `onWorkerDied` (or its router's `workerclose`) and rebuilds on a new router from `createRouter()`.
 */
@Injectable()
export class MediaService {
  constructor(private readonly pool: WorkerPoolService) {}

  /** One entry per configured worker slot (readiness: all alive). */
  workerStatus(): WorkerStatus[] {
    return this.pool.snapshot().map(({ index, pid, alive, rtcPort }) => ({ index, pid, alive, rtcPort }));
  }

  /** workerStatus() plus router counts, restarts and each worker's resource usage, for metrics. */
  async workerStats(): Promise<WorkerStats[]> {
    return Promise.all(
      this.pool.snapshot().map(async (slot) => ({ ...slot, resourceUsage: slot.alive ? await this.pool.resourceUsage(slot.index) : null })),
    );
  }

  /** The operating system's resource usage of one worker, null if it is not running. */
  getResourceUsage(workerIndex: number): Promise<WorkerResourceUsage | null> {
    return this.pool.resourceUsage(workerIndex);
  }

  /**
   * A new router (Opus with FEC and DTX, VP8, H264) on the live worker with the fewest routers.
   * Rejects with NoMediaWorkerError when no worker is running. The caller owns the router and closes it
   * when its session ends.
   */
  createRouter(): Promise<CreatedRouter> {
    return this.pool.createRouter();
  }

  /** The WebRtcServer of a worker slot, null while that slot's worker is being replaced. */
  webRtcServer(workerIndex: number): WebRtcServer | null {
    return this.pool.webRtcServer(workerIndex);
  }

  /** The worker of a slot (diagnostics), null while it is being replaced. */
  worker(workerIndex: number): Worker | null {
    return this.pool.worker(workerIndex);
  }

  /** Called when a worker dies; returns a function that stops listening. */
  onWorkerDied(listener: (event: WorkerDiedEvent) => void): () => void {
    this.pool.events.on('workerDied', listener);
    return () => this.pool.events.off('workerDied', listener);
  }

  /** Called when a dead worker's slot runs a new worker again; returns a function that stops listening. */
  onWorkerReplaced(listener: (event: WorkerReplacedEvent) => void): () => void {
    this.pool.events.on('workerReplaced', listener);
    return () => this.pool.events.off('workerReplaced', listener);
  }
}
