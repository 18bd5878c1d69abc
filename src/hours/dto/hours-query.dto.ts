import { ApiProperty } from '@nestjs/swagger';
import { Matches } from 'class-validator';

export class HoursQuery {
  @ApiProperty({ description: 'The month, YYYY-MM (UTC)', example: '2026-11' })
  @Matches(/^\d{4}-(0[1-9]|1[0-2])$/, { message: 'month must be a month as YYYY-MM' })
  month: string;
}
