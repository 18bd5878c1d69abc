import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, Matches } from 'class-validator';
import { COUNTRY_CODES } from '../../common/countries';

/** `total`: one row for everything in scope (no dimension), the figure a pilot's few requests can fill. */
export const STATS_GROUPS = ['language', 'country', 'matter', 'total'] as const;
export type StatsGroup = (typeof STATS_GROUPS)[number];
/** `month`: a row per month; `whole`: one row for the whole range (its `month` is the range, `from/to`). */
export const STATS_PERIODS = ['month', 'whole'] as const;
export type StatsPeriod = (typeof STATS_PERIODS)[number];

/** `women`: the women's own calls (default); `officials`: calls an official asked for, a woman beside her. */
export const STATS_ORIGINS = ['women', 'officials'] as const;
export type StatsOrigin = (typeof STATS_ORIGINS)[number];

// Whole months only: ranges differing by a day would be subtracted to count that day.
const MONTH = /^\d{4}-\d{2}$/;

export class StatsQuery {
  @ApiPropertyOptional({ example: '2027-01', description: 'First month (YYYY-MM), UTC; default: eleven months before this one' })
  @IsOptional()
  @Matches(MONTH, { message: 'from must be a whole month written YYYY-MM' })
  from?: string;

  @ApiPropertyOptional({ example: '2027-12', description: 'Last month (YYYY-MM), inclusive, UTC; default: this month' })
  @IsOptional()
  @Matches(MONTH, { message: 'to must be a whole month written YYYY-MM' })
  to?: string;

  @ApiPropertyOptional({
    enum: STATS_GROUPS,
    description: 'Rows per period and this dimension (default: language); `total`: one row per period for everything in scope, key `total`',
  })
  @IsOptional()
  @IsIn(STATS_GROUPS, { message: `groupBy must be one of ${STATS_GROUPS.join(', ')}` })
  groupBy?: StatsGroup;

  @ApiPropertyOptional({
    enum: STATS_PERIODS,
    description:
      'A row per calendar month (default) or one row for the whole range, whose `month` is then the range as `from/to` (e.g. `2026-01/2026-12`). Suppression applies to every row alike.',
  })
  @IsOptional()
  @IsIn(STATS_PERIODS, { message: `period must be one of ${STATS_PERIODS.join(', ')}` })
  period?: StatsPeriod;

  @ApiPropertyOptional({
    enum: STATS_ORIGINS,
    description: "Whose calls: the women's own (default), or those officials asked for with a woman beside them; never mixed",
  })
  @IsOptional()
  @IsIn(STATS_ORIGINS, { message: `origin must be one of ${STATS_ORIGINS.join(', ')}` })
  origin?: StatsOrigin;

  @ApiPropertyOptional({ enum: COUNTRY_CODES, description: "A platform admin's filter; a roster admin always sees her own country" })
  @IsOptional()
  @IsIn(COUNTRY_CODES)
  country?: string;
}
