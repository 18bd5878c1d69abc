import { Controller, Get, Header, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { CurrentUser, Roles } from '../auth/auth.decorators';
import { interpreterIdOf, type Principal } from '../auth/principal';
import { CountryPipe } from '../rosters/country.pipe';
import { assertRosterAccess } from '../rosters/roster-access';
import { RosterRoutes } from '../rosters/roster-routes.decorator';
import { HoursQuery } from './dto/hours-query.dto';
import { hoursCsv } from './hours-csv';
import { HoursService } from './hours.service';

@ApiTags('hours')
@ApiBearerAuth()
@Controller()
export class HoursController {
  constructor(private readonly hours: HoursService) {}

  @Get('interpreters/me/hours')
  @Roles('interpreter')
  @ApiOperation({ summary: 'Her own month: calls, minutes and hearings' })
  ofMine(@Query() q: HoursQuery, @CurrentUser() p: Principal) {
    return this.hours.ofInterpreter(interpreterIdOf(p, 'hours are for interpreters'), q.month);
  }
}

/** A roster's month, for its roster admin. */
@RosterRoutes()
export class HoursRosterController {
  constructor(private readonly hours: HoursService) {}

  @Get('hours')
  @Roles('roster_admin')
  @Header('Content-Type', 'text/csv; charset=utf-8')
  @Header('Cache-Control', 'no-store')
  @ApiProduces('text/csv')
  @ApiOperation({ summary: "A month's calls, minutes and hearings per interpreter of your roster, as CSV (for payment)" })
  async ofRoster(@Param('country', CountryPipe) country: string, @Query() q: HoursQuery, @CurrentUser() actor: Principal) {
    assertRosterAccess(actor, country, false);
    return hoursCsv(await this.hours.ofRoster(country, q.month));
  }
}
