import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, Matches } from 'class-validator';
import { COUNTRY_CODES } from '../../common/countries';

export const STATS_GROUPS = ['language', 'country', 'matter'] as const;
export type StatsGroup = (typeof STATS_GROUPS)[number];

const MONTH_OR_DAY = /^\d{4}-\d{2}(-\d{2})?$/;

export class StatsQuery {
  @ApiPropertyOptional({ example: '2027-01', description: 'First month (YYYY-MM) or day (YYYY-MM-DD), UTC; default: twelve months ago' })
  @IsOptional()
  @Matches(MONTH_OR_DAY, { message: 'from must be a month (YYYY-MM) or a day (YYYY-MM-DD)' })
  from?: string;

  @ApiPropertyOptional({ example: '2027-12', description: 'Last month or day, inclusive, UTC; default: now' })
  @IsOptional()
  @Matches(MONTH_OR_DAY, { message: 'to must be a month (YYYY-MM) or a day (YYYY-MM-DD)' })
  to?: string;

  @ApiPropertyOptional({ enum: STATS_GROUPS, description: 'Rows per month and this dimension (default: language)' })
  @IsOptional()
  @IsIn(STATS_GROUPS)
  groupBy?: StatsGroup;

  @ApiPropertyOptional({ enum: COUNTRY_CODES, description: "A platform admin's filter; a roster admin always sees her own country" })
  @IsOptional()
  @IsIn(COUNTRY_CODES)
  country?: string;
}
