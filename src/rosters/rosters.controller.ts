import { Body, Get, HttpCode, Param, Patch, Post, Put, Query, Req, UploadedFile, UseInterceptors } from '@nestjs/common';
import { FileInterceptor } from '@nestjs/platform-express';
import { ApiBody, ApiConsumes, ApiExtraModels, ApiOkResponse, ApiOperation, ApiResponse, getSchemaPath } from '@nestjs/swagger';
import type { Request } from 'express';
import { CurrentUser, Roles } from '../auth/auth.decorators';
import type { Principal } from '../auth/principal';
import { AppConfig } from '../config/config.schema';
import { GENDERS, INTERPRETER_STATUSES, SPECIALTIES } from '../common/domain';
import { CountryPipe } from './country.pipe';
import { ListInterpretersQuery } from './dto/list-interpreters.query';
import { ImportResultDto, InterpreterDto, InterpreterPageDto, SharingDto } from './dto/roster-responses.dto';
import { SetInterpreterStatusDto } from './dto/set-interpreter-status.dto';
import { SetSharingDto } from './dto/set-sharing.dto';
import { readRosterBody } from './import/roster-body';
import { ROSTER_COLUMNS } from './import/roster-columns';
import { assertRosterAccess } from './roster-access';
import { RostersService } from './rosters.service';
import { badField } from '../common/validation';
import { RosterRoutes } from './roster-routes.decorator';

/** What multer hands over for the `file` field (memory storage). */
interface UploadedRosterFile {
  buffer: Buffer;
  size: number;
}

const IMPORT_DESCRIPTION = `Upserts interpreters into the roster of {country} by \`external_id\`. The body is a CSV file
(\`text/csv\`, UTF-8, header row required), a JSON array of objects with the same keys, or a
\`multipart/form-data\` upload with the file in the \`file\` field.

Columns: \`${ROSTER_COLUMNS.join(',')}\`. Required: \`external_id\`, \`first_name\`, \`email\`, \`languages\`; a column the
file leaves out keeps the stored value of interpreters already in the roster, while an empty cell clears it.
- \`languages\`: \`;\`-separated \`iso6393[/variant]:level\`, level 1 to 5, at least one (e.g. \`mam:5;quc/central:3\`)
- \`relay_languages\`: \`;\`-separated \`iso6393:level\` (e.g. \`spa:5;eng:3\`); a bare code is level 5
- \`specialties\`: \`;\`-separated, from \`${SPECIALTIES.join(' ')}\`
- \`certification_body\`, \`certification_number\`, \`certification_expires\` (YYYY-MM-DD): one certification per
  interpreter, stored on her entry and covering all her languages
- \`gender\`: \`${GENDERS.join('`, `')}\` or empty; \`status\`: \`${INTERPRETER_STATUSES.join('` or `')}\` (empty: a new row is active, a stored one keeps its status)

**The file is not a full replacement**: interpreters it does not mention are left as they are (suspend
someone by importing her row with \`status\` = \`suspended\`). Each bad row is reported in \`rejected\`
(\`line\` is the file's line, header = 1, or the array index + 1 for JSON; \`field\` is the column, or \`row\`)
and changes nothing; the good rows of the same file are all stored, in one transaction. A row repeating an
earlier row's \`external_id\` is rejected as a duplicate. Re-importing the same file reports every row as
\`unchanged\`. A body over ROSTER_IMPORT_MAX_BYTES is refused with 413; a missing header or required column
is a 400 naming the column. The body is read only once the caller is known to be this roster's admin, and is
decoded as strict UTF-8 whatever charset the Content-Type names: anything else is a 400.`;

@RosterRoutes()
export class RostersController {
  constructor(
    private readonly rosters: RostersService,
    private readonly config: AppConfig,
  ) {}

  @Post('import')
  @HttpCode(200)
  @Roles('roster_admin')
  @UseInterceptors(FileInterceptor('file'))
  @ApiOperation({ summary: "Import (upsert) interpreters into the country's roster", description: IMPORT_DESCRIPTION })
  @ApiConsumes('text/csv', 'application/json', 'multipart/form-data')
  @ApiExtraModels(ImportResultDto)
  @ApiBody({
    schema: {
      oneOf: [
        {
          type: 'string',
          description: 'CSV text',
          example: `${ROSTER_COLUMNS.join(',')}\nGT-001,Ana,ana@example.org,mam:5;quc:3,spa,violence;legal_criminal,ONI,123,2027-06-30,female,active`,
        },
        { type: 'array', items: { type: 'object', properties: Object.fromEntries(ROSTER_COLUMNS.map((c) => [c, { type: 'string' }])) } },
        { type: 'object', properties: { file: { type: 'string', format: 'binary' } } },
      ],
    },
  })
  @ApiOkResponse({ schema: { $ref: getSchemaPath(ImportResultDto) } })
  @ApiResponse({ status: 413, description: 'The body or file is larger than ROSTER_IMPORT_MAX_BYTES' })
  @ApiResponse({ status: 415, description: 'Not CSV, a JSON array or a multipart upload' })
  async import(
    @Param('country', CountryPipe) country: string,
    @CurrentUser() actor: Principal,
    @Req() req: Request,
    @UploadedFile() file: UploadedRosterFile | undefined,
  ): Promise<ImportResultDto> {
    assertRosterAccess(actor, country, false);
    if (req.is('multipart/form-data')) {
      if (!file) throw badField('file', 'file is required');
      return this.rosters.importRoster(country, file.buffer, actor);
    }
    return this.rosters.importRoster(country, await readRosterBody(req, this.config.ROSTER_IMPORT_MAX_BYTES), actor);
  }

  @Get('interpreters')
  @Roles('roster_admin', 'platform_admin')
  @ApiOperation({ summary: "List a roster's interpreters, by external_id (emails included: administrators only)" })
  @ApiOkResponse({ type: InterpreterPageDto })
  list(@Param('country', CountryPipe) country: string, @Query() query: ListInterpretersQuery, @CurrentUser() actor: Principal) {
    assertRosterAccess(actor, country, true);
    return this.rosters.list(country, query);
  }

  @Patch('interpreters/:id')
  @Roles('roster_admin')
  @ApiOperation({
    summary: 'Suspend or reactivate one interpreter, without importing the roster again',
    description:
      'A suspended interpreter is offered no call and no hearing and cannot be available; if she is available now she ' +
      'is set away and told why; her upcoming hearings go to the next interpreter. A call she is in goes on. Audited. ' +
      'An empty `status` cell in a later import keeps it.',
  })
  @ApiOkResponse({ type: InterpreterDto })
  setStatus(
    @Param('country', CountryPipe) country: string,
    @Param('id') id: string,
    @Body() body: SetInterpreterStatusDto,
    @CurrentUser() actor: Principal,
  ) {
    assertRosterAccess(actor, country, false);
    return this.rosters.setStatus(country, id, body.status, actor);
  }

  @Get('sharing')
  @Roles('roster_admin', 'platform_admin')
  @ApiOperation({ summary: 'Which countries may draw on this roster, and which rosters share with this country' })
  @ApiOkResponse({ type: SharingDto })
  getSharing(@Param('country', CountryPipe) country: string, @CurrentUser() actor: Principal) {
    assertRosterAccess(actor, country, true);
    return this.rosters.getSharing(country);
  }

  @Put('sharing')
  @Roles('roster_admin')
  @ApiOperation({
    summary: 'Replace the list of countries whose requests may draw on this roster',
    description: 'The roster always serves its own country; listing it is a 400. An empty list shares with nobody. Audited.',
  })
  @ApiOkResponse({ type: SharingDto })
  setSharing(@Param('country', CountryPipe) country: string, @Body() body: SetSharingDto, @CurrentUser() actor: Principal) {
    assertRosterAccess(actor, country, false);
    return this.rosters.setSharing(country, body.countries, actor);
  }
}
