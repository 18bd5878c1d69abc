import { BadRequestException, PipeTransform } from '@nestjs/common';
import { COUNTRY_CODES, isCountryCode } from '../common/countries';

/** `:country` path parameter: an RCM member state's ISO 3166-1 alpha-2 code (case-insensitive). */
export class CountryPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    const code = String(value ?? '').toUpperCase();
    if (!isCountryCode(code)) {
      throw new BadRequestException({
        statusCode: 400,
        error: 'Bad Request',
        message: [`country must be one of ${COUNTRY_CODES.join(', ')}`],
        fields: ['country'],
      });
    }
    return code;
  }
}
