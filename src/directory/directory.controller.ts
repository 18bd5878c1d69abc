import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { CurrentUser, Roles } from '../auth/auth.decorators';
import type { Principal } from '../auth/principal';
import { badField, uuidParam } from '../common/validation';
import { CountryPipe } from '../rosters/country.pipe';
import { assertRosterAccess } from '../rosters/roster-access';
import { RosterRoutes } from '../rosters/roster-routes.decorator';
import { CreateServiceDto, ListServicesQuery, ServiceEntryDto, UpdateServiceDto } from './dto/service-entry.dto';
import { DirectoryService } from './directory.service';

@ApiTags('services')
@ApiBearerAuth()
@Controller('services')
export class DirectoryController {
  constructor(private readonly directory: DirectoryService) {}

  @Get()
  @Roles('interpreter', 'official', 'roster_admin', 'platform_admin')
  @ApiOperation({
    summary: 'Where help is: the services of a country (by kind, by area) to refer a woman to; never linked to a call',
    description:
      "`country` defaults to the official's or roster admin's own; an interpreter names it (her call may be in another country).",
  })
  @ApiOkResponse({ type: [ServiceEntryDto] })
  search(@Query() q: ListServicesQuery, @CurrentUser() p: Principal) {
    const country = q.country ?? (p.role === 'official' || p.role === 'roster_admin' ? p.country : undefined);
    if (!country) throw badField('country', 'country is required');
    return this.directory.search(country, q.kind, q.area);
  }
}

/** Her roster's directory, kept by its roster admin. */
@RosterRoutes()
export class DirectoryRosterController {
  constructor(private readonly directory: DirectoryService) {}

  @Post('services')
  @Roles('roster_admin')
  @ApiOperation({ summary: 'Add a service to the directory of your country' })
  @ApiCreatedResponse({ type: ServiceEntryDto })
  create(@Param('country', CountryPipe) country: string, @Body() body: CreateServiceDto, @CurrentUser() actor: Principal) {
    assertRosterAccess(actor, country, false);
    return this.directory.create(country, body, actor);
  }

  @Patch('services/:id')
  @Roles('roster_admin')
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOperation({ summary: 'Change a service of the directory of your country' })
  @ApiOkResponse({ type: ServiceEntryDto })
  update(
    @Param('country', CountryPipe) country: string,
    @Param('id', uuidParam('id')) id: string,
    @Body() body: UpdateServiceDto,
    @CurrentUser() actor: Principal,
  ) {
    assertRosterAccess(actor, country, false);
    return this.directory.update(country, id, body, actor);
  }

  @Delete('services/:id')
  @Roles('roster_admin')
  @HttpCode(204)
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOperation({ summary: 'Remove a service from the directory of your country' })
  async remove(@Param('country', CountryPipe) country: string, @Param('id', uuidParam('id')) id: string, @CurrentUser() actor: Principal) {
    assertRosterAccess(actor, country, false);
    await this.directory.remove(country, id, actor);
  }
}
