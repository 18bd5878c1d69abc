import { BullModule } from '@nestjs/bull';
import { Module } from '@nestjs/common';
import { PushModule } from '../push/push.module';
import { PresenceModule } from '../presence/presence.module';
import { ReturnCodesModule } from '../return-codes/return-codes.module';
import { SessionsModule } from '../sessions/sessions.module';
import { CallerReach } from './caller-reach';
import { MatchingGateway } from './matching.gateway';
import { MatchingProcessor } from './matching.processor';
import { MatchingRepository } from './matching.repository';
import { MATCHING_QUEUE, MatchingService } from './matching.service';

@Module({
  imports: [BullModule.registerQueue({ name: MATCHING_QUEUE }), PresenceModule, PushModule, ReturnCodesModule, SessionsModule],
  providers: [CallerReach, MatchingService, MatchingRepository, MatchingProcessor, MatchingGateway],
  exports: [MatchingService],
})
export class MatchingModule {}
