import { ApiProperty } from '@nestjs/swagger';
import { IsInt, Max, Min, ValidateIf } from 'class-validator';
import { MATTERS, type Matter } from '../../common/domain';

export class SetCallLimitsDto {
  @ApiProperty({
    type: Number,
    nullable: true,
    minimum: 1,
    maximum: 50,
    description: 'How many violence and trafficking calls one interpreter of this roster may be offered in any 24 hours; null: no cap',
    example: 4,
  })
  // null is a value here (no cap); a missing field is not.
  @ValidateIf((_, v) => v !== null)
  @IsInt({ message: 'violenceTraffickingPerDay must be a whole number from 1 to 50, or null for no cap' })
  @Min(1, { message: 'violenceTraffickingPerDay must be a whole number from 1 to 50, or null for no cap' })
  @Max(50, { message: 'violenceTraffickingPerDay must be a whole number from 1 to 50, or null for no cap' })
  violenceTraffickingPerDay: number | null;
}

export class CallLimitsDto {
  @ApiProperty() country: string;
  @ApiProperty({ type: Number, nullable: true, description: 'null: no cap' }) violenceTraffickingPerDay: number | null;
}

export class DebriefRequestDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) interpreterId: string;
  @ApiProperty({ description: "Her id in the roster's file" }) externalId: string;
  @ApiProperty() firstName: string;
  @ApiProperty({ enum: MATTERS, nullable: true, description: 'The matter of her last call (null: she had none)' }) matter: Matter | null;
  @ApiProperty({ description: 'ISO 8601' }) requestedAt: string;
}

/** `wrapup:extend` and "I need a debrief" carry nothing (the whitelist refuses any field). */
export class EmptyBodyDto {}
