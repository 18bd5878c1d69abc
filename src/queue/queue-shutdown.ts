import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import Bull from 'bull';
import { withTimeout } from '../common/with-timeout';

/** How long a node shutting down waits for the jobs it is running before it closes its queues anyway. */
const JOBS_GRACE_MS = 10_000;

/**
 * Closes every Bull queue of the node at once, when @nestjs/bull shuts the first one down.
 *
 * Bull's own `close()` waits for every processing loop, including the ones that only wait for a job in a
 * blocking BRPOPLPUSH. If the queue's connection is reconnecting then (Redis restarted a moment ago, or is
 * down), ioredis keeps those commands and replays them on the new connection one after another, each blocking
 * for Bull's `drainDelay` (5 s): 25 s for a queue with five processors, forever while Redis stays down. So the
 * node waits here only for the jobs it is really running (Bull's local `active` event hands over each job's
 * promise), bounded, then closes without waiting for the loops. A job cut by a shutdown is taken up again by
 * another node once its lock expires, like a job of a node that died.
 *
 * Bull can also reject a close with ioredis's "Connection is closed." when one of its own blocking commands is
 * cut at that moment; a rejection there would abort the rest of the node's shutdown, and the queue is closed
 * either way, so that one error is logged instead.
 */
@Injectable()
export class QueueShutdown implements OnModuleInit {
  private readonly logger = new Logger('Queues');
  private readonly running = new Set<Promise<unknown>>();

  constructor(private readonly discovery: DiscoveryService) {}

  onModuleInit() {
    const queues = this.discovery
      .getProviders()
      .flatMap(({ instance }) =>
        instance instanceof Bull ? [instance as Bull.Queue & { onApplicationShutdown?: () => Promise<void> }] : [],
      );
    for (const queue of queues) {
      queue.on('active', (_job: Bull.Job, done: Promise<unknown>) => {
        const settled = Promise.resolve(done).then(
          () => undefined,
          () => undefined,
        );
        this.running.add(settled);
        void settled.then(() => this.running.delete(settled));
      });
    }
    let closing: Promise<void> | undefined;
    const closeAll = () => (closing ??= this.closeAll(queues));
    for (const queue of queues) queue.onApplicationShutdown = closeAll;
  }

  private async closeAll(queues: Bull.Queue[]) {
    // Stop taking new jobs first, then let the running ones finish.
    await Promise.all(queues.map((q) => q.pause(true, true).catch(() => undefined)));
    await withTimeout(Promise.all(this.running), JOBS_GRACE_MS).catch(() => undefined);
    await Promise.all(queues.map((q) => this.close(q)));
  }

  private close(queue: Bull.Queue): Promise<void> {
    return queue.close(true).catch((e: Error) => {
      if (!/Connection is closed/.test(e?.message ?? '')) throw e;
      this.logger.warn({ queue: queue.name }, 'queue closed while its connection closed');
    });
  }
}
