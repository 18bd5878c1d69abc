import { BullModule } from '@nestjs/bull';
import { Module } from '@nestjs/common';
import { BookingsModule } from '../bookings/bookings.module';
import { PresenceModule } from '../presence/presence.module';
import { SessionsModule } from '../sessions/sessions.module';
import { CallerReach } from './caller-reach';
import { MatchingGateway } from './matching.gateway';
import { MatchingProcessor } from './matching.processor';
import { MATCHING_QUEUE, MatchingService } from './matching.service';
import { SessionLeaveGateway } from './session-leave.gateway';

@Module({
  imports: [BullModule.registerQueue({ name: MATCHING_QUEUE }), BookingsModule, PresenceModule, SessionsModule],
  providers: [CallerReach, MatchingService, MatchingProcessor, MatchingGateway, SessionLeaveGateway],
  exports: [MatchingService],
})
export class MatchingModule {}
