import { BullModule } from '@nestjs/bull';
import { PushModule } from '../push/push.module';
import { Module } from '@nestjs/common';
import { RostersModule } from '../rosters/rosters.module';
import { WrapupModule } from '../wrapup/wrapup.module';
import { PresenceGateway } from './presence.gateway';
import { PresenceProcessor } from './presence.processor';
import { PRESENCE_QUEUE, PresenceService } from './presence.service';

@Module({
  imports: [RostersModule, PushModule, WrapupModule, BullModule.registerQueue({ name: PRESENCE_QUEUE })],
  providers: [PresenceService, PresenceGateway, PresenceProcessor],
  exports: [PresenceService],
})
export class PresenceModule {}
