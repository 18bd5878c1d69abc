import { Equals, IsBoolean, IsIn, IsOptional, IsUUID, Matches } from 'class-validator';
import { COUNTRY_CODES } from '../../common/countries';
import { MATTERS, URGENCIES, type Matter, type Urgency } from '../../common/domain';
import type { CreateRequestPayload, OfferIdPayload, RequestIdPayload } from '../../realtime/realtime.contract';
import { RETURN_CODE_PATTERN } from '../../return-codes/return-code';

export class CreateRequestDto implements CreateRequestPayload {
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

  /** What the other side speaks (default: the main language of where she is, or of the home roster). */
  @IsOptional()
  @IsUUID()
  targetLanguageId?: string;

  /** "Not from my country": nobody from a roster of the countries where her language is spoken. */
  @IsOptional()
  @IsBoolean()
  notFromCountry?: boolean;

  /** Where she is now (optional; never her nationality). */
  @IsOptional()
  @IsIn(COUNTRY_CODES)
  country?: string;

  /** Her return code: the interpreter who gave it rings first. */
  @IsOptional()
  @Matches(RETURN_CODE_PATTERN, { message: 'returnCode must be six digits' })
  returnCode?: string;
}

export class RequestIdDto implements RequestIdPayload {
  @IsUUID()
  requestId: string;
}

export class OfferIdDto implements OfferIdPayload {
  @IsUUID()
  offerId: string;
}

/** `request:choose`: she takes whoever is free first (the only choice there is to send). */
export class ChooseDto {
  @IsUUID()
  requestId: string;

  @Equals(true, { message: 'anyInterpreter must be true' })
  anyInterpreter: true;
}
