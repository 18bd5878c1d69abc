import { Body, Controller, Get, Param, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import { CurrentUser, Roles } from '../auth/auth.decorators';
import type { Principal } from '../auth/principal';
import { COUNTRY_CODES } from '../common/countries';
import { CountryPipe } from '../rosters/country.pipe';
import { SetRetentionDto } from './dto/set-retention.dto';
import { RetentionService } from './retention.service';

@ApiTags('rosters')
@ApiBearerAuth()
@ApiParam({ name: 'country', enum: COUNTRY_CODES })
@ApiResponse({ status: 400, description: 'Invalid input (the offending fields are named)' })
@ApiResponse({ status: 403, description: 'Wrong role' })
@ApiResponse({ status: 404, description: "Another country's setting" })
@Controller('rosters/:country/retention')
export class RetentionController {
  constructor(private readonly retention: RetentionService) {}

  @Get()
  @Roles('roster_admin', 'platform_admin')
  @ApiOperation({ summary: 'How long this country keeps the metadata of its ended calls and hearings' })
  get(@CurrentUser() p: Principal, @Param('country', CountryPipe) country: string) {
    return this.retention.get(p, country);
  }

  @Put()
  @Roles('roster_admin', 'platform_admin')
  @ApiOperation({ summary: 'Set how long this country keeps that metadata (the purge deletes older rows)' })
  set(@CurrentUser() p: Principal, @Param('country', CountryPipe) country: string, @Body() body: SetRetentionDto) {
    return this.retention.set(p, country, body.days);
  }
}
