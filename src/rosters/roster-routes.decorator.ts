import { applyDecorators, Controller } from '@nestjs/common';
import { ApiBearerAuth, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import { COUNTRY_CODES } from '../common/countries';

/** A controller of routes under `/rosters/{country}`, documented once: the path parameter and the common refusals. */
export function RosterRoutes(): ClassDecorator {
  return applyDecorators(
    ApiTags('rosters'),
    ApiBearerAuth(),
    ApiParam({ name: 'country', enum: COUNTRY_CODES, description: 'ISO 3166-1 alpha-2 code of the roster' }),
    ApiResponse({ status: 400, description: 'Invalid country code or input (the offending fields are named)' }),
    ApiResponse({ status: 403, description: 'Wrong role' }),
    ApiResponse({ status: 404, description: "Another country's roster" }),
    Controller('rosters/:country'),
  );
}
