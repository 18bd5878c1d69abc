import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, Matches } from 'class-validator';
import { COUNTRY_CODES } from '../../common/countries';

export const STATS_GROUPS = ['language', 'country', 'matter'] as const;
export type StatsGroup = (typeof STATS_GROUPS)[number];

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

  @ApiPropertyOptional({ enum: STATS_GROUPS, description: 'Rows per month and this dimension (default: language)' })
  @IsOptional()
  @IsIn(STATS_GROUPS)
  groupBy?: StatsGroup;

  @ApiPropertyOptional({ enum: COUNTRY_CODES, description: "A platform admin's filter; a roster admin always sees her own country" })
  @IsOptional()
  @IsIn(COUNTRY_CODES)
  country?: string;
}
