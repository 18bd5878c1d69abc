import { ApiProperty } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayUnique, IsArray, IsIn } from 'class-validator';
import { COUNTRY_CODES } from '../../common/countries';

export class SetSharingDto {
  @ApiProperty({
    description:
      'Every country whose requests may draw on this roster (ISO 3166-1 alpha-2), replacing the previous list. ' +
      'The roster always serves its own country: listing it is an error. An empty list shares with nobody.',
    example: ['MX', 'HN'],
    enum: COUNTRY_CODES,
    isArray: true,
  })
  @IsArray()
  @ArrayMaxSize(COUNTRY_CODES.length)
  @ArrayUnique()
  @IsIn(COUNTRY_CODES, { each: true, message: `countries must contain only ${COUNTRY_CODES.join(', ')}` })
  countries: string[];
}
