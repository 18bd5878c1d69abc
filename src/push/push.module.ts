import { BullModule } from '@nestjs/bull';
import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { PushSubscription } from './entities/push-subscription.entity';
import { PushController } from './push.controller';
import { PushGateway } from './push.gateway';
import { PushProcessor } from './push.processor';
import { PUSH_QUEUE, PushService } from './push.service';

/** Offers to interpreters by Web Push (VAPID, RFC 8291), for consoles that cannot show them. */
@Module({
  imports: [TypeOrmModule.forFeature([PushSubscription]), BullModule.registerQueue({ name: PUSH_QUEUE })],
  controllers: [PushController],
  providers: [PushService, PushProcessor, PushGateway],
  exports: [PushService],
})
export class PushModule {}
