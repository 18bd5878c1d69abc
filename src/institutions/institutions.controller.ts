import { Body, Controller, Get, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import { CurrentUser, Roles } from '../auth/auth.decorators';
import type { Principal } from '../auth/principal';
import { uuidParam } from '../common/validation';
import { CreateInstitutionDto, ListInstitutionsQuery, UpdateInstitutionDto } from './dto/institution.dto';
import { InstitutionsService } from './institutions.service';

@ApiTags('institutions')
@ApiBearerAuth()
@ApiResponse({ status: 404, description: "Another country's institution (for a roster admin)" })
@Controller('institutions')
export class InstitutionsController {
  constructor(private readonly institutions: InstitutionsService) {}

  @Post()
  @Roles('platform_admin', 'roster_admin')
  @ApiOperation({ summary: 'Create an institution of your country (409 if the name is taken there)' })
  create(@Body() body: CreateInstitutionDto, @CurrentUser() actor: Principal) {
    return this.institutions.create(body, actor);
  }

  @Get()
  @Roles('platform_admin', 'roster_admin')
  @ApiOperation({ summary: 'Institutions of a country (a roster admin: hers; a platform admin: any, or all)' })
  list(@Query() q: ListInstitutionsQuery, @CurrentUser() actor: Principal) {
    return this.institutions.list(actor, q.country);
  }

  @Patch(':id')
  @Roles('platform_admin', 'roster_admin')
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOperation({ summary: 'Rename an institution, or change its kind or language' })
  update(@Param('id', uuidParam('id')) id: string, @Body() body: UpdateInstitutionDto, @CurrentUser() actor: Principal) {
    return this.institutions.update(id, body, actor);
  }
}
