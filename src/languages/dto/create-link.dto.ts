import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsString, IsUUID, Matches, MaxLength, MinLength } from 'class-validator';
import { NoInvisibleChars } from '../../common/visible-text';

export class CreateLinkDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  fromLanguageId: string;

  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  toLanguageId: string;

  @ApiProperty({ example: 'ALMG', maxLength: 200, description: 'Who documents the mutual intelligibility (institute, study)' })
  @Transform(({ value }) => (typeof value === 'string' ? value.trim() : value))
  @IsString()
  @MinLength(2)
  @MaxLength(200)
  @Matches(/^[^<>]*$/, { message: 'source must not contain < or >' })
  @NoInvisibleChars()
  source: string;
}
