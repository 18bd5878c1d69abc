import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Roles } from '../auth/auth.decorators';
import { AuditService } from './audit.service';

@ApiTags('audit')
@ApiBearerAuth()
@Controller('audit')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @Get('verify')
  @Roles('platform_admin')
  @ApiOperation({ summary: 'Verify the hash chain of the audit log' })
  @ApiOkResponse({ schema: { properties: { ok: { type: 'boolean' }, events: { type: 'integer' }, firstBadId: { type: 'string', format: 'uuid' } } } })
  verify() {
    return this.audit.verify();
  }
}
