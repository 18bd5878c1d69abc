import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsInt, IsString, IsTimeZone, Matches, Max, Min, ValidateNested } from 'class-validator';

const TIME = /^([01]\d|2[0-3]):[0-5]\d$|^24:00$/;

export class AvailabilityWindowDto {
  @ApiProperty({ minimum: 1, maximum: 7, description: 'ISO weekday: 1 Monday ... 7 Sunday' })
  @IsInt()
  @Min(1)
  @Max(7)
  weekday: number;

  @ApiProperty({ example: '09:00' })
  @IsString()
  @Matches(TIME, { message: 'start must be a time such as 09:00' })
  start: string;

  @ApiProperty({ example: '17:00' })
  @IsString()
  @Matches(TIME, { message: 'end must be a time such as 17:00 (24:00 for midnight)' })
  end: string;
}

export class SetAvailabilityDto {
  @ApiProperty({ example: 'America/Guatemala', description: 'The IANA time zone the windows are in' })
  @IsTimeZone()
  timeZone: string;

  @ApiProperty({ type: [AvailabilityWindowDto], description: 'Weekly windows; none: any time (she confirms or declines each hearing)' })
  @IsArray()
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => AvailabilityWindowDto)
  windows: AvailabilityWindowDto[];
}
