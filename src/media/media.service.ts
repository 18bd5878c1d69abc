import { Injectable } from '@nestjs/common';
import type { WorkerResourceUsage } from 'mediasoup/node/lib/types';
import { WorkerPoolService } from './worker-pool.service';

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

/**
 * The media module's public surface: the state of this node's mediasoup workers, for readiness and operators.
 * Calls themselves reach the module through its socket events (MediaGateway), and end with their session
 * (SessionsService.onEnded); the workers, rooms and peers behind them are the module's own.
 */
@Injectable()
export class MediaService {
  constructor(private readonly pool: WorkerPoolService) {}

  /** One entry per configured worker slot (readiness: all alive). */
  workerStatus(): WorkerStatus[] {
    return this.pool.snapshot().map(({ index, pid, alive, rtcPort }) => ({ index, pid, alive, rtcPort }));
  }

  /** workerStatus() plus router counts, restarts and each worker's resource usage. */
  async workerStats(): Promise<WorkerStats[]> {
    return Promise.all(
      this.pool.snapshot().map(async (slot) => ({ ...slot, resourceUsage: slot.alive ? await this.pool.resourceUsage(slot.index) : null })),
    );
  }
}
