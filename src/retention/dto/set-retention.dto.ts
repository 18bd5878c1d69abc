import { ApiProperty } from '@nestjs/swagger';
import { IsInt, Max, Min } from 'class-validator';

export class SetRetentionDto {
  @ApiProperty({ minimum: 1, maximum: 3650, description: 'Days the metadata of ended calls and hearings is kept' })
  @IsInt()
  @Min(1)
  @Max(3650)
  days: number;
}
