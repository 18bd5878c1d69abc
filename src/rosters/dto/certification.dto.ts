import { ApiProperty } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayUnique, IsArray, IsBoolean, IsIn } from 'class-validator';
import { MATTERS, INTERPRETER_STATUSES, type Matter } from '../../common/domain';

export class SetCertificationRulesDto {
  @ApiProperty({
    enum: MATTERS,
    isArray: true,
    description: 'The matters for which only an interpreter with a valid certification is offered a call (replaces the list)',
    example: ['legal_civil', 'legal_labour', 'legal_criminal'],
  })
  @IsArray()
  @ArrayMaxSize(MATTERS.length)
  @ArrayUnique()
  @IsIn(MATTERS, { each: true, message: `matters must contain only ${MATTERS.join(', ')}` })
  matters: Matter[];

  @ApiProperty({ description: "Whether hearings need one (valid on the hearing's day)" })
  @IsBoolean()
  hearings: boolean;
}

export class CertificationRulesDto {
  @ApiProperty() country: string;
  @ApiProperty({ enum: MATTERS, isArray: true }) matters: Matter[];
  @ApiProperty() hearings: boolean;
  @ApiProperty({ description: 'True while the country has not set its own rules (the legal matters and every hearing)' })
  isDefault: boolean;
}

export class ExpiringCertificateDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() externalId: string;
  @ApiProperty() firstName: string;
  @ApiProperty({ enum: INTERPRETER_STATUSES }) status: string;
  @ApiProperty({ format: 'date', description: 'Valid through this day' }) expires: string;
  @ApiProperty({ description: 'Days from today (UTC) until it expires; negative once it has' }) daysLeft: number;
}
