import { ApiProperty, ApiPropertyOptional, PartialType, PickType } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, IsUUID, Matches, MaxLength, MinLength } from 'class-validator';
import { COUNTRY_CODES } from '../../common/countries';
import { NoInvisibleChars } from '../../common/visible-text';
import { INSTITUTION_KINDS, type InstitutionKind } from '../institution-kinds';

export class CreateInstitutionDto {
  @ApiProperty({ enum: COUNTRY_CODES })
  @IsIn(COUNTRY_CODES, { message: `country must be one of ${COUNTRY_CODES.join(', ')}` })
  country: string;

  @ApiProperty({ example: 'Juzgado de Paz, Quetzaltenango' })
  @IsString()
  @MinLength(2)
  @MaxLength(120)
  @Matches(/^[^<>]*$/, { message: 'name must not contain < or >' })
  @NoInvisibleChars()
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
