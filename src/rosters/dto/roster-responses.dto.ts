import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { GENDERS, INTERPRETER_STATUSES, SPECIALTIES } from '../../common/domain';

// Response shapes, declared for the OpenAPI document.

export class RejectedRowDto {
  @ApiProperty({ description: 'Line of the file (header = 1), or array index + 1 for a JSON body' })
  line: number;

  @ApiProperty({ description: 'The column at fault, or `row` for the row as a whole', example: 'languages' })
  field: string;

  @ApiProperty({ example: 'unknown language code xyz' })
  message: string;
}

export class ImportResultDto {
  @ApiProperty() created: number;
  @ApiProperty() updated: number;
  @ApiProperty({ description: 'Rows identical to what is already stored' }) unchanged: number;
  @ApiProperty({ type: [RejectedRowDto] }) rejected: RejectedRowDto[];
}

export class InterpreterLanguageDto {
  @ApiProperty({ format: 'uuid' }) languageId: string;
  @ApiProperty({ example: 'mam' }) iso6393: string;
  @ApiProperty({ nullable: true, type: String, example: null }) variant: string | null;
  @ApiProperty({ minimum: 1, maximum: 5 }) level: number;
}

export class RelayLevelDto {
  @ApiProperty({ example: 'spa' }) iso6393: string;
  @ApiProperty({ minimum: 1, maximum: 5 }) level: number;
}

export class CertificationDto {
  @ApiProperty({ nullable: true, type: String }) body: string | null;
  @ApiProperty({ nullable: true, type: String }) number: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'date' }) expires: string | null;
  @ApiProperty({ nullable: true, type: Number, description: 'Days from today (UTC) until it expires; negative once it has' })
  daysLeft: number | null;
}

export class InterpreterDto {
  @ApiProperty({ format: 'uuid', description: 'Pseudonymous id' }) id: string;
  @ApiProperty() country: string;
  @ApiProperty({ description: "The roster's own id" }) externalId: string;
  @ApiProperty() firstName: string;
  @ApiProperty({ description: 'Staff contact, shown to administrators only' }) email: string;
  @ApiProperty({ type: [InterpreterLanguageDto] }) languages: InterpreterLanguageDto[];
  @ApiProperty({ type: [String], example: ['spa'], description: 'ISO 639-3 codes' }) relayLanguages: string[];
  @ApiProperty({ type: [RelayLevelDto], description: 'The same relay languages with their levels (1 to 5)' })
  relayLevels: RelayLevelDto[];
  @ApiProperty({ enum: SPECIALTIES, isArray: true }) specialties: string[];
  @ApiProperty({ enum: GENDERS, nullable: true }) gender: string | null;
  @ApiProperty({ enum: INTERPRETER_STATUSES }) status: string;
  @ApiProperty({ type: CertificationDto, description: 'One certification per interpreter, covering her languages' })
  certification: CertificationDto;
  @ApiPropertyOptional({ nullable: true, type: String, format: 'date-time' }) lastSessionEndedAt: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ format: 'date-time' }) updatedAt: string;
}

export class InterpreterPageDto {
  @ApiProperty() total: number;
  @ApiProperty() limit: number;
  @ApiProperty() offset: number;
  @ApiProperty({ type: [InterpreterDto] }) items: InterpreterDto[];
}

export class SharingDto {
  @ApiProperty({ example: 'GT' }) country: string;
  @ApiProperty({ type: [String], description: 'Countries whose requests may draw on this roster', example: ['MX'] })
  countries: string[];
  @ApiProperty({ type: [String], description: 'Other rosters that share with this country (read-only)', example: ['HN'] })
  borrowsFrom: string[];
}
