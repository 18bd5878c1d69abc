import { Body, Controller, Get, HttpCode, Param, Post, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { RosterRoutes } from '../rosters/roster-routes.decorator';
import { CurrentUser, Roles } from '../auth/auth.decorators';
import { interpreterIdOf, type Principal } from '../auth/principal';
import { CountryPipe } from '../rosters/country.pipe';
import { assertRosterAccess } from '../rosters/roster-access';
import { badFields } from '../common/validation';
import { CallLimitsDto, DebriefRequestDto, SetCallLimitsDto } from './dto/wrapup.dto';
import { DEBRIEF_LIST_DAYS, DEBRIEF_REPEAT_MINUTES, WrapupService } from './wrapup.service';

@ApiTags('wrap-up')
@ApiBearerAuth()
@Controller()
export class WrapupController {
  constructor(private readonly wrapup: WrapupService) {}

  @Post('interpreters/me/debrief')
  @Roles('interpreter')
  @HttpCode(201)
  @ApiOperation({
    summary: 'I need a debrief: her roster admins are told (who, when, the matter of her last call; nothing of the call)',
    description: `Asked again within ${DEBRIEF_REPEAT_MINUTES} minutes, the same request is answered and nobody is told twice.`,
  })
  @ApiCreatedResponse({ type: DebriefRequestDto })
  debrief(@Body() body: unknown, @CurrentUser() p: Principal) {
    const id = interpreterIdOf(p, 'a debrief is for interpreters');
    // Nothing is taken with it (no body, or an empty one): no free text can ride along.
    const fields = body && typeof body === 'object' ? Object.keys(body) : [];
    if (fields.length) throw badFields(fields, 'a debrief request carries nothing');
    return this.wrapup.debrief(id);
  }
}

/** The roster admin's side: who asked for a debrief, and the roster's daily cap. */
@RosterRoutes()
export class WrapupRosterController {
  constructor(private readonly wrapup: WrapupService) {}

  @Get('debrief-requests')
  @Roles('roster_admin')
  @ApiOperation({ summary: `Her roster's interpreters who asked for a debrief in the last ${DEBRIEF_LIST_DAYS} days, newest first` })
  @ApiOkResponse({ type: [DebriefRequestDto] })
  debriefs(@Param('country', CountryPipe) country: string, @CurrentUser() actor: Principal) {
    assertRosterAccess(actor, country, false);
    return this.wrapup.debriefs(country);
  }

  @Get('call-limits')
  @Roles('roster_admin', 'platform_admin')
  @ApiOperation({ summary: 'The roster’s cap on violence and trafficking calls per interpreter in any 24 hours' })
  @ApiOkResponse({ type: CallLimitsDto })
  limits(@Param('country', CountryPipe) country: string, @CurrentUser() actor: Principal) {
    assertRosterAccess(actor, country, true);
    return this.wrapup.limits(country);
  }

  @Put('call-limits')
  @Roles('roster_admin')
  @ApiOperation({
    summary: 'Set (or, null, remove) the cap on violence and trafficking calls per interpreter in any 24 hours',
    description: 'Counted from the calls she accepted; hearings she confirms herself are not capped. Audited.',
  })
  @ApiOkResponse({ type: CallLimitsDto })
  setLimits(@Param('country', CountryPipe) country: string, @Body() body: SetCallLimitsDto, @CurrentUser() actor: Principal) {
    assertRosterAccess(actor, country, false);
    return this.wrapup.setLimits(country, body.violenceTraffickingPerDay, actor);
  }
}
