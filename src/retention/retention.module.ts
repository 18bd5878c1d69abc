import { BullModule } from '@nestjs/bull';
import { Module } from '@nestjs/common';
import { ReturnCodesModule } from '../return-codes/return-codes.module';
import { RetentionController } from './retention.controller';
import { RetentionProcessor, RETENTION_QUEUE } from './retention.processor';
import { RetentionService } from './retention.service';

/** Per-country retention of metadata, enforced by a repeatable purge job. */
@Module({
  imports: [BullModule.registerQueue({ name: RETENTION_QUEUE }), ReturnCodesModule],
  controllers: [RetentionController],
  providers: [RetentionService, RetentionProcessor],
  exports: [RetentionService],
})
export class RetentionModule {}
