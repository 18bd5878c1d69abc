import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { FAMILY_NAMES, type LanguageFamily } from '../../languages/data/language-families';
import { RECORDING_KINDS, type RecordingKind } from '../recording-kinds';

export const REJECT_REASONS = ['unclear', 'wrong_language', 'other'] as const;
export type RejectReason = (typeof REJECT_REASONS)[number];

export class RejectRecordingDto {
  @ApiPropertyOptional({ enum: REJECT_REASONS, description: 'Why, as a label (never free text)' })
  @IsOptional()
  @IsIn(REJECT_REASONS, { message: `reason must be one of ${REJECT_REASONS.join(', ')}` })
  reason?: RejectReason;
}

export class PublishedRecordingDto {
  @ApiProperty({ format: 'uuid' }) languageId: string;
}

export class RecordingInfoDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) languageId: string;
  @ApiProperty({ enum: RECORDING_KINDS }) kind: RecordingKind;
  @ApiProperty({ enum: ['pending', 'published'] }) state: string;
  @ApiProperty({ enum: ['interpreter', 'roster_admin'] }) recorderRole: string;
  @ApiProperty({ description: 'Whether the asking account recorded it' }) mine: boolean;
  @ApiProperty({ enum: ['audio/webm', 'audio/ogg'] }) contentType: string;
  @ApiProperty({ description: 'Bytes' }) size: number;
  @ApiProperty({ description: 'At most 5.5 s for a name, 40.5 s for a notice' }) durationMs: number;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
}

export class MissingRecordingDto {
  @ApiProperty({ format: 'uuid' }) languageId: string;
  @ApiProperty({ example: 'mam' }) iso6393: string;
  @ApiProperty({ nullable: true, type: String }) variant: string | null;
  @ApiProperty({ example: 'Mam' }) name: string;
  @ApiProperty({ nullable: true, type: String }) autonym: string | null;
  @ApiProperty({ enum: FAMILY_NAMES, nullable: true }) family: LanguageFamily | null;
  @ApiProperty({ description: 'A recording of it waits for a roster admin to check it' }) pending: boolean;
}
