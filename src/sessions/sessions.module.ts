import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Session } from './entities/session.entity';
import { AuditOutbox } from './audit-outbox';
import { SessionsService } from './sessions.service';

@Module({
  imports: [TypeOrmModule.forFeature([Session])],
  providers: [SessionsService, AuditOutbox],
  exports: [SessionsService, AuditOutbox],
})
export class SessionsModule {}
