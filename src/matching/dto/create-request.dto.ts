import { IsBoolean, IsIn, IsOptional, IsUUID } from 'class-validator';
import { COUNTRY_CODES } from '../../common/countries';
import { MATTERS, URGENCIES, type Matter, type Urgency } from '../../common/domain';

export class CreateRequestDto {
  @IsUUID()
  languageId: string;

  @IsIn(MATTERS)
  matter: Matter;

  @IsIn(URGENCIES)
  urgency: Urgency;

  /** Under 18 or does not know: treated as a minor. */
  @IsBoolean()
  minor: boolean;

  @IsOptional()
  @IsBoolean()
  preferFemale?: boolean;

  /** Where she is now (optional; never her nationality). */
  @IsOptional()
  @IsIn(COUNTRY_CODES)
  country?: string;
}

export class RequestIdDto {
  @IsUUID()
  requestId: string;
}

export class OfferIdDto {
  @IsUUID()
  offerId: string;
}
