import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, IsTimeZone, IsUUID, Matches, Max, Min } from 'class-validator';
import { MATTERS, type Matter } from '../../common/domain';

/** A date and time, with an offset (`2027-03-15T09:00:00-04:00`, `...Z`) or without (then read in `timeZone`). */
export const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})?$/;

/**
 * Opaque by construction: a court's file number or the like, never a name or a story. No spaces and at
 * least one digit keep a name from fitting.
 */
export const CASE_REFERENCE = /^(?=[^\d]*\d)[A-Za-z0-9][A-Za-z0-9./_-]{0,39}$/;

export class CreateBookingDto {
  @ApiProperty({ format: 'uuid', description: 'The language variant (GET /api/v1/languages)' })
  @IsUUID()
  languageId: string;

  @ApiPropertyOptional({
    format: 'uuid',
    description: "What the other side speaks (default: the institution's language; that is the country's main one unless set)",
  })
  @IsOptional()
  @IsUUID()
  targetLanguageId?: string;

  @ApiProperty({ enum: MATTERS })
  @IsIn(MATTERS)
  matter: Matter;

  @ApiProperty({
    example: '2027-03-15T09:00:00-04:00',
    description: 'Start, ISO 8601. With an offset it is that instant; without one it is a local time in `timeZone`.',
  })
  @IsString()
  @Matches(DATE_TIME, { message: 'startsAt must be an ISO 8601 date and time, such as 2027-03-15T09:00:00-04:00' })
  startsAt: string;

  @ApiProperty({ minimum: 15, maximum: 600 })
  @IsInt()
  @Min(15)
  @Max(600)
  durationMinutes: number;

  @ApiPropertyOptional({
    example: 'EXP-2027-0042',
    description: 'Opaque case reference: up to 40 letters, digits and . / _ -, with a digit; never a name',
  })
  @IsOptional()
  @IsString()
  @Matches(CASE_REFERENCE, {
    message:
      'caseReference must be an opaque reference (up to 40 letters, digits and . / _ -, at least one digit), never a name or a story',
  })
  caseReference?: string;

  @ApiPropertyOptional({ description: 'The woman takes part remotely: the official gets a one-time join code for her' })
  @IsOptional()
  @IsBoolean()
  remoteParticipant?: boolean;

  @ApiPropertyOptional({ example: 'America/New_York', description: "The hearing's IANA time zone (default: the official's country's)" })
  @IsOptional()
  @IsTimeZone()
  timeZone?: string;

  @ApiPropertyOptional({ description: 'The woman is under 18 or does not know: children-trained interpreters first' })
  @IsOptional()
  @IsBoolean()
  minor?: boolean;

  @ApiPropertyOptional({ description: 'She asked for a woman interpreter' })
  @IsOptional()
  @IsBoolean()
  preferFemale?: boolean;

  @ApiPropertyOptional({ format: 'uuid', description: 'A follow-up of this earlier booking: its interpreter is asked first' })
  @IsOptional()
  @IsUUID()
  followUpOf?: string;
}
