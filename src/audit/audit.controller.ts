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
  @ApiOperation({
    summary: 'Verify the hash chain of the audit log',
    description:
      'Walks the chain from its start (the first event, or where the latest audited purge left it) to the stored chain head. ' +
      '`firstBadId` is the first altered event or the first after missing ones; a missing newest part has no such event, only `problem`.',
  })
  @ApiOkResponse({
    schema: {
      properties: {
        ok: { type: 'boolean' },
        events: { type: 'integer', description: 'events proved intact' },
        firstBadId: { type: 'string', format: 'uuid' },
        problem: { type: 'string', description: 'what is wrong, when ok is false' },
      },
    },
  })
  verify() {
    return this.audit.verify();
  }
}
