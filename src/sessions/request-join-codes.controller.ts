import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import { EmptyDto } from '../auth/dto/login.dto';
import { CurrentUser, Roles } from '../auth/auth.decorators';
import type { Principal } from '../auth/principal';
import { uuidParam } from '../common/validation';
import { SessionsService } from './sessions.service';

/** "Interpreter now": the woman beside the official joins the call from her own phone, with a one-time code. */
@ApiTags('requests')
@ApiBearerAuth()
@ApiResponse({ status: 403, description: 'Not an official' })
@ApiResponse({ status: 404, description: 'Not a call this official asked for, or it is not on' })
@Controller('requests')
export class RequestJoinCodesController {
  constructor(private readonly sessions: SessionsService) {}

  @Post(':id/join-code')
  @HttpCode(200)
  @Roles('official')
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOperation({
    summary: "A one-time code for the woman's own phone in the call you asked for (shown once; a new one replaces the last)",
    description:
      'While your "interpreter now" call is on. She opens `joinPath` on her phone (or `POST /api/v1/bookings/join {code}`) and takes the ' +
      "call's caller seat; it works once and expires after an hour. `{code, expiresAt, joinPath}`.",
  })
  joinCode(@CurrentUser() p: Principal, @Param('id', uuidParam('id')) id: string, @Body() _body: EmptyDto) {
    return this.sessions.issueRequestJoinCode(p, id);
  }
}
