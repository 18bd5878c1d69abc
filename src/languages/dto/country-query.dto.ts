import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsOptional } from 'class-validator';
import { COUNTRY_CODES, type CountryCode } from '../../common/countries';

const COUNTRY_MESSAGE = `country must be the code of an RCM member state: one of ${COUNTRY_CODES.join(', ')}`;
const upper = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.toUpperCase() : value);

/** `?country=XX`, required: one of the eleven RCM codes (any case). */
export class CountryQueryDto {
  @ApiProperty({ enum: COUNTRY_CODES, example: 'GT' })
  @Transform(upper)
  @IsIn(COUNTRY_CODES, { message: COUNTRY_MESSAGE })
  country: CountryCode;
}

/** `?country=XX`, optional. */
export class OptionalCountryQueryDto {
  @ApiPropertyOptional({
    enum: COUNTRY_CODES,
    description: "A roster admin's own country when left out; every country for a platform admin",
  })
  @IsOptional()
  @Transform(upper)
  @IsIn(COUNTRY_CODES, { message: COUNTRY_MESSAGE })
  country?: CountryCode;
}

export class LanguageOrderDto {
  @ApiProperty({ type: String, isArray: true, format: 'uuid', description: 'Most requested first, then by roster size, then by name' })
  languageIds: string[];
}
