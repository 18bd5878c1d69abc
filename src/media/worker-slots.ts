/** Pure decisions of the worker pool, kept apart from mediasoup so they can be unit-tested. */

export interface SlotLoad {
  index: number;
  alive: boolean;
  /** Routers on the worker, including those being created right now. */
  routers: number;
}

/**
 * The slot for a new router: the live worker with the fewest routers, the lowest slot on a tie (so that
 * a quiet node keeps using the same worker). Null when no worker is alive.
 */
export function leastLoaded(slots: readonly SlotLoad[]): number | null {
  let best: SlotLoad | null = null;
  for (const slot of slots) {
    if (!slot.alive) continue;
    if (!best || slot.routers < best.routers || (slot.routers === best.routers && slot.index < best.index)) best = slot;
  }
  return best ? best.index : null;
}

export const RESTART_BASE_MS = 200;
export const RESTART_MAX_MS = 10_000;

/**
 * Delay before starting a replacement worker after `failures` consecutive failed starts or early deaths:
 * quick the first time, doubling up to a ceiling so that a worker that cannot start (port taken, binary
 * gone) does not spin the CPU.
 */
export function restartDelay(failures: number): number {
  const n = Math.max(0, Math.floor(failures));
  return Math.min(RESTART_MAX_MS, RESTART_BASE_MS * 2 ** Math.min(n, 16));
}

/** mediasoup's worker knows fewer levels than pino; quieter is safer than louder. */
export function workerLogLevel(level: string): 'debug' | 'warn' | 'error' | 'none' {
  switch (level) {
    case 'trace':
    case 'debug':
      return 'debug';
    case 'info':
    case 'warn':
      return 'warn';
    case 'silent':
      return 'none';
    default:
      return 'error';
  }
}
