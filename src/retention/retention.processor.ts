import { InjectQueue, Process, Processor } from '@nestjs/bull';
import { OnApplicationBootstrap } from '@nestjs/common';
import type { Queue } from 'bull';
import { AppConfig } from '../config/config.schema';
import { RetentionService } from './retention.service';

export const RETENTION_QUEUE = 'retention';

/** The purge as a repeatable Bull job: one node runs each occurrence, and a restart loses none. */
@Processor(RETENTION_QUEUE)
export class RetentionProcessor implements OnApplicationBootstrap {
  constructor(
    private readonly retention: RetentionService,
    private readonly config: AppConfig,
    @InjectQueue(RETENTION_QUEUE) private readonly queue: Queue,
  ) {}

  async onApplicationBootstrap() {
    await this.queue.add(
      'purge',
      {},
      { repeat: { every: this.config.RETENTION_PURGE_EVERY_SECONDS * 1000 }, jobId: 'purge', removeOnComplete: true, removeOnFail: 100 },
    );
  }

  @Process('purge')
  purge() {
    return this.retention.purge();
  }
}
