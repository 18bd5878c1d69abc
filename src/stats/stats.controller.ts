import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { CurrentUser, Roles } from '../auth/auth.decorators';
import type { Principal } from '../auth/principal';
import { StatsQuery } from './dto/stats.query';
import { StatsService } from './stats.service';

@ApiTags('stats')
@ApiBearerAuth()
@ApiResponse({ status: 400, description: 'Invalid query (the offending fields are named)' })
@ApiResponse({ status: 403, description: 'Wrong role' })
@Controller('stats')
export class StatsController {
  constructor(private readonly stats: StatsService) {}

  @Get()
  @Roles('roster_admin', 'platform_admin')
  @ApiOperation({
    summary:
      'Requests, answer times, unmet demand and call durations per month (or the whole range) and language, country, matter or in total',
    description:
      'Whole months only (`from`/`to` as YYYY-MM). Counts under 5 are null (listed in `suppressed`), every other count is rounded to the nearest multiple of 5 (`roundedTo`), ' +
      'so that no total minus other cells recovers a hidden one; medians and percentiles of fewer than 5 people are null, in every row whatever `groupBy` and `period`. ' +
      '`groupBy=total` gives one row (key `total`) per period for everything in scope; `period=whole` one period for the whole range, named `from/to` in `month`: ' +
      'at pilot scale, where most monthly cells are under 5. A roster admin sees her country only; a platform admin any country, or the whole region without `country`.',
  })
  get(@CurrentUser() p: Principal, @Query() q: StatsQuery) {
    return this.stats.stats(p, q);
  }
}
