import type { Queue } from 'bull';

/**
 * A sweep that one node at a time runs every `seconds`: a repeatable Bull job named `sweep` on `queue`.
 * Bull schedules a repeatable job's next run only once a node has taken the current one, so a node killed in
 * between breaks the chain until Bull finds the stalled job (30 s or more). Every node therefore re-adds it now
 * and then (every four periods, at least `minRecheckMs`); the next run's job id is derived from its time slot,
 * so while the chain is alive that is a no-op.
 */
export class RepeatingSweep {
  private watchdog?: NodeJS.Timeout;

  constructor(
    private readonly queue: Queue,
    private readonly seconds: number,
    private readonly minRecheckMs: number,
  ) {}

  async start() {
    await this.schedule();
    this.watchdog = setInterval(() => void this.schedule().catch(() => undefined), Math.max(this.minRecheckMs, this.seconds * 4000));
    this.watchdog.unref();
  }

  stop() {
    clearInterval(this.watchdog);
  }

  private schedule() {
    return this.queue.add(
      'sweep',
      {},
      { repeat: { every: Math.round(this.seconds * 1000) }, jobId: 'sweep', removeOnComplete: true, removeOnFail: true },
    );
  }
}
