import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsIn,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  MaxLength,
  MinLength,
} from 'class-validator';
import { COUNTRY_CODES } from '../../common/countries';
import { NoInvisibleChars } from '../../common/visible-text';
import { SERVICE_KINDS, type ServiceKind } from '../service-kinds';

const NO_MARKUP = /^[^<>]*$/;

export class CreateServiceDto {
  @ApiProperty({ example: 'Casa de la Mujer, Quetzaltenango' })
  @IsString()
  @MinLength(2)
  @MaxLength(120)
  @Matches(NO_MARKUP, { message: 'name must not contain < or >' })
  @NoInvisibleChars()
  name: string;

  @ApiProperty({ enum: SERVICE_KINDS })
  @IsIn(SERVICE_KINDS, { message: `kind must be one of ${SERVICE_KINDS.join(', ')}` })
  kind: ServiceKind;

  @ApiProperty({ description: 'Where it is: a department, a city', example: 'Quetzaltenango' })
  @IsString()
  @MinLength(1)
  @MaxLength(120)
  @Matches(NO_MARKUP, { message: 'area must not contain < or >' })
  @NoInvisibleChars()
  area: string;

  @ApiProperty({ example: '+502 7765 4321' })
  @Matches(/^\+?[0-9][0-9 ().-]{2,38}$/, { message: 'phone must be a phone number: digits, spaces, ( ) . - and a leading +' })
  phone: string;

  @ApiPropertyOptional({ example: 'Mon-Fri 8:00-17:00; 24 h hotline' })
  @IsOptional()
  @IsString()
  @MaxLength(120)
  @Matches(NO_MARKUP, { message: 'hours must not contain < or >' })
  @NoInvisibleChars()
  hours?: string;

  @ApiPropertyOptional({ type: [String], format: 'uuid', description: 'Languages it serves in (catalogue ids)' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @ArrayUnique()
  @IsUUID('all', { each: true })
  languageIds?: string[];

  @ApiPropertyOptional({ description: 'Whether it takes minors' })
  @IsOptional()
  @IsBoolean()
  minors?: boolean;
}

export class UpdateServiceDto extends PartialType(CreateServiceDto) {}

export class ListServicesQuery {
  @ApiPropertyOptional({ enum: COUNTRY_CODES, description: "Default: the official's own country; required for an interpreter" })
  @IsOptional()
  @IsIn(COUNTRY_CODES, { message: `country must be one of ${COUNTRY_CODES.join(', ')}` })
  country?: string;

  @ApiPropertyOptional({ enum: SERVICE_KINDS })
  @IsOptional()
  @IsIn(SERVICE_KINDS, { message: `kind must be one of ${SERVICE_KINDS.join(', ')}` })
  kind?: ServiceKind;

  @ApiPropertyOptional({ description: 'Part of the area, any case' })
  @IsOptional()
  @IsString()
  @MaxLength(120)
  area?: string;
}

export class ServiceEntryDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() country: string;
  @ApiProperty() name: string;
  @ApiProperty({ enum: SERVICE_KINDS }) kind: ServiceKind;
  @ApiProperty() area: string;
  @ApiProperty() phone: string;
  @ApiProperty({ nullable: true, type: String }) hours: string | null;
  @ApiProperty({ type: [String] }) languageIds: string[];
  @ApiProperty() minors: boolean;
}
