import { Global, Module } from '@nestjs/common';
import { RealtimeGateway } from './realtime.gateway';
import { RealtimeService } from './realtime.service';
import { WsRateLimitGuard } from './ws-rate-limit.guard';

@Global()
@Module({
  providers: [RealtimeService, RealtimeGateway, WsRateLimitGuard],
  exports: [RealtimeService, WsRateLimitGuard],
})
export class RealtimeModule {}
