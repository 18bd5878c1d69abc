import { BullModule } from '@nestjs/bull';
import { Global, Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { AppConfig } from '../config/config.schema';
import { QueueShutdown } from './queue-shutdown';

/**
 * Bull on Redis for every timer and job (offer expiry, reminders, purge), so that a node restart loses
 * none. Feature modules register their own queues with `BullModule.registerQueue({ name })`.
 */
@Global()
@Module({
  imports: [
    DiscoveryModule,
    BullModule.forRootAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({
        url: config.REDIS_URL,
        prefix: `${config.REDIS_PREFIX}:bull`,
        defaultJobOptions: { removeOnComplete: true, removeOnFail: 1000 },
      }),
    }),
  ],
  providers: [QueueShutdown],
  exports: [BullModule],
})
export class QueueModule {}
