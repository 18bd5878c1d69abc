import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsEmail, IsIn, IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';
import { COUNTRY_CODES } from '../../common/countries';
import { STAFF_ROLES, type StaffRole } from '../../common/domain';

export class CreateUserDto {
  @ApiProperty({ enum: STAFF_ROLES })
  @IsIn(STAFF_ROLES)
  role: StaffRole;

  @ApiProperty()
  @IsEmail()
  @MaxLength(254)
  email: string;

  @ApiProperty({ description: 'At least 12 characters mixing three character classes, or 16+ characters' })
  @IsString()
  @MaxLength(256)
  password: string;

  @ApiPropertyOptional({ enum: COUNTRY_CODES, description: 'Required for every role but platform_admin' })
  @IsOptional()
  @IsIn(COUNTRY_CODES)
  country?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'Required for officials: an institution of her country (GET /api/v1/institutions)' })
  @IsOptional()
  @IsUUID()
  institutionId?: string;

  @ApiPropertyOptional({ description: "Required for interpreters: her entry in her country's roster" })
  @IsOptional()
  @IsUUID()
  interpreterId?: string;
}
