import { Module } from '@nestjs/common';
import { RequestJoinCodesController } from './request-join-codes.controller';
import { SessionsGateway } from './sessions.gateway';
import { SessionsRepository } from './sessions.repository';
import { SessionsService } from './sessions.service';

/** Session life: records (metadata only), who takes part, `session:leave`, and the end announced to every node. */
@Module({
  controllers: [RequestJoinCodesController],
  providers: [SessionsService, SessionsRepository, SessionsGateway],
  exports: [SessionsService],
})
export class SessionsModule {}
