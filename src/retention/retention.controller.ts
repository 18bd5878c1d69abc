import { Body, Get, Param, Put } from '@nestjs/common';
import { ApiOperation } from '@nestjs/swagger';
import { CurrentUser, Roles } from '../auth/auth.decorators';
import type { Principal } from '../auth/principal';
import { CountryPipe } from '../rosters/country.pipe';
import { RosterRoutes } from '../rosters/roster-routes.decorator';
import { SetRetentionDto } from './dto/set-retention.dto';
import { RetentionService } from './retention.service';

@RosterRoutes()
export class RetentionController {
  constructor(private readonly retention: RetentionService) {}

  @Get('retention')
  @Roles('roster_admin', 'platform_admin')
  @ApiOperation({ summary: 'How long this country keeps the metadata of its ended calls and hearings' })
  get(@CurrentUser() p: Principal, @Param('country', CountryPipe) country: string) {
    return this.retention.get(p, country);
  }

  @Put('retention')
  @Roles('roster_admin', 'platform_admin')
  @ApiOperation({ summary: 'Set how long this country keeps that metadata (the purge deletes older rows)' })
  set(@CurrentUser() p: Principal, @Param('country', CountryPipe) country: string, @Body() body: SetRetentionDto) {
    return this.retention.set(p, country, body.days);
  }
}
