import { ApiProperty, ApiPropertyOptional, PartialType, PickType } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, IsUUID, Matches, MaxLength, MinLength } from 'class-validator';
import { COUNTRY_CODES } from '../../common/countries';
import { INSTITUTION_KINDS, type InstitutionKind } from '../institution-kinds';

/** Printable text only: no markup, no control, bidi or zero-width characters that make one name look like another. */
export const INSTITUTION_NAME = /^[^<>\p{Cc}\p{Cf}]*$/u;

export class CreateInstitutionDto {
  @ApiProperty({ enum: COUNTRY_CODES })
  @IsIn(COUNTRY_CODES, { message: `country must be one of ${COUNTRY_CODES.join(', ')}` })
  country: string;

  @ApiProperty({ example: 'Juzgado de Paz, Quetzaltenango' })
  @IsString()
  @MinLength(2)
  @MaxLength(120)
  @Matches(INSTITUTION_NAME, { message: 'name must not contain <, >, control, bidi or zero-width characters' })
  name: string;

  @ApiProperty({ enum: INSTITUTION_KINDS })
  @IsIn(INSTITUTION_KINDS, { message: `kind must be one of ${INSTITUTION_KINDS.join(', ')}` })
  kind: InstitutionKind;

  @ApiPropertyOptional({ format: 'uuid', description: "The language its officials speak (default: the country's main language)" })
  @IsOptional()
  @IsUUID()
  languageId?: string;
}

/** `PATCH /institutions/{id}`: name, kind, language; an institution never changes country. */
export class UpdateInstitutionDto extends PartialType(PickType(CreateInstitutionDto, ['name', 'kind', 'languageId'] as const)) {}

export class ListInstitutionsQuery {
  @ApiPropertyOptional({ enum: COUNTRY_CODES })
  @IsOptional()
  @IsIn(COUNTRY_CODES, { message: `country must be one of ${COUNTRY_CODES.join(', ')}` })
  country?: string;
}
