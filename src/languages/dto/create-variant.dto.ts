import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsIn,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  MinLength,
} from 'class-validator';
import { COUNTRY_CODES, type CountryCode } from '../../common/countries';
import { NoInvisibleChars } from '../../common/visible-text';
import { VARIANT_MAX, VARIANT_SLUG } from '../language-text';
import { IsIso6393 } from './is-iso6393.validator';

const lowerCase = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim().toLowerCase() : value);
const trimmed = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

export class CreateVariantDto {
  @ApiProperty({ example: 'mam', description: 'An ISO 639-3 code' })
  @Transform(lowerCase)
  @IsIso6393()
  iso6393: string;

  @ApiProperty({ example: 'todos-santos', description: 'Lower-case slug: letters, digits and single hyphens', maxLength: VARIANT_MAX })
  @IsString()
  @MaxLength(VARIANT_MAX)
  @Matches(VARIANT_SLUG, { message: 'variant must be a lower-case slug such as "todos-santos"' })
  variant: string;

  @ApiProperty({ example: 'Mam (Todos Santos Cuchumatán)', maxLength: 120 })
  @Transform(trimmed)
  @IsString()
  @MinLength(2)
  @MaxLength(120)
  @Matches(/^[^<>]*$/, { message: 'name must not contain < or >' })
  @NoInvisibleChars()
  name: string;

  @ApiPropertyOptional({ nullable: true, maxLength: 120, description: "The speakers' own name for it, if known" })
  @IsOptional()
  @Transform(trimmed)
  @IsString()
  @MinLength(1)
  @MaxLength(120)
  @Matches(/^[^<>]*$/, { message: 'autonym must not contain < or >' })
  @NoInvisibleChars()
  autonym?: string | null;

  @ApiProperty({ enum: COUNTRY_CODES, isArray: true, description: 'Where it is spoken (a roster admin: her own country only)' })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(COUNTRY_CODES.length)
  @ArrayUnique()
  @IsIn(COUNTRY_CODES, { each: true })
  countries: CountryCode[];
}
