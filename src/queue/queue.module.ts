import { BullModule } from '@nestjs/bull';
import { Global, Module } from '@nestjs/common';
import { AppConfig } from '../config/config.schema';

/**
 * Bull on Redis for every timer and job (offer expiry, reminders, purge), so that a node restart loses
 * none. Feature modules register their own queues with `BullModule.registerQueue({ name })`.
 */
@Global()
@Module({
  imports: [
    BullModule.forRootAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({
        url: config.REDIS_URL,
        prefix: `${config.REDIS_PREFIX}:bull`,
        defaultJobOptions: { removeOnComplete: true, removeOnFail: 1000 },
      }),
    }),
  ],
  exports: [BullModule],
})
export class QueueModule {}
