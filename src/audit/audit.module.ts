import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditController } from './audit.controller';
import { AuditOutbox } from './audit-outbox';
import { AuditService } from './audit.service';
import { AuditEvent } from './entities/audit-event.entity';

/** The hash-chained audit log: writers write through AuditOutbox; AuditService is the chain (append, purge, verify). */
@Global()
@Module({
  imports: [TypeOrmModule.forFeature([AuditEvent])],
  controllers: [AuditController],
  providers: [AuditService, AuditOutbox],
  exports: [AuditService, AuditOutbox],
})
export class AuditModule {}
