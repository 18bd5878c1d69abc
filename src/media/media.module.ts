import { Module } from '@nestjs/common';
import { SessionsModule } from '../sessions/sessions.module';
import { MediaSignallingService } from './media-signalling.service';
import { MediaGateway } from './media.gateway';
import { MediaMetrics } from './media.metrics';
import { MediaService } from './media.service';
import { RoomsService } from './rooms.service';
import { SessionRecord } from './session-record';
import { WorkerPoolService } from './worker-pool.service';

@Module({
  imports: [SessionsModule],
  providers: [WorkerPoolService, MediaService, MediaMetrics, RoomsService, SessionRecord, MediaSignallingService, MediaGateway],
  exports: [MediaService, RoomsService],
})
export class MediaModule {}
