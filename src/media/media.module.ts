import { Module } from '@nestjs/common';
import { SessionsModule } from '../sessions/sessions.module';
import { MediaInspection } from './media-inspection';
import { MediaSignallingService } from './media-signalling.service';
import { MediaGateway } from './media.gateway';
import { MediaMetrics } from './media.metrics';
import { MediaService } from './media.service';
import { RoomsService } from './rooms.service';
import { WorkerPoolService } from './worker-pool.service';

@Module({
  imports: [SessionsModule],
  providers: [WorkerPoolService, MediaService, MediaMetrics, RoomsService, MediaInspection, MediaSignallingService, MediaGateway],
  exports: [MediaService],
})
export class MediaModule {}
