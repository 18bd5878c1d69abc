import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import Bull from 'bull';

/**
 * Bull can reject a queue's close with ioredis's "Connection is closed." when one of its own blocking
 * commands is cut at that moment (its disconnect listens for an `error` after it quits). @nestjs/bull
 * closes every queue in `onApplicationShutdown`; a rejection there aborts the rest of the node's shutdown.
 * The queue is closed either way, so that one error is logged instead.
 */
@Injectable()
export class QueueShutdown implements OnModuleInit {
  private readonly logger = new Logger('Queues');

  constructor(private readonly discovery: DiscoveryService) {}

  onModuleInit() {
    for (const { instance } of this.discovery.getProviders()) {
      if (!(instance instanceof Bull)) continue;
      const queue = instance as Bull.Queue & { onApplicationShutdown?: () => Promise<void> };
      queue.onApplicationShutdown = () =>
        queue.close().catch((e: Error) => {
          if (!/Connection is closed/.test(e?.message ?? '')) throw e;
          this.logger.warn({ queue: queue.name }, 'queue closed while its connection closed');
        });
    }
  }
}
