import { Module } from '@nestjs/common';
import { AfterCallService } from './after-call.service';
import { RequestJoinCodesController } from './request-join-codes.controller';
import { SessionsGateway } from './sessions.gateway';
import { SessionsRepository } from './sessions.repository';
import { SessionsService } from './sessions.service';

/** Session life: records (metadata only), who takes part, `session:leave`, the end announced to every node, and what is said of a call after it (metadata only). */
@Module({
  controllers: [RequestJoinCodesController],
  providers: [SessionsService, SessionsRepository, SessionsGateway, AfterCallService],
  exports: [SessionsService],
})
export class SessionsModule {}
