import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsEmail, IsIn, IsOptional, IsString, IsUUID, Matches, MaxLength, MinLength } from 'class-validator';
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

  @ApiPropertyOptional({ description: 'Required for officials' })
  @IsOptional()
  @IsString()
  @MinLength(2)
  @MaxLength(120)
  @Matches(/^[^<>]*$/, { message: 'institution must not contain < or >' })
  institution?: string;

  @ApiPropertyOptional({ description: "Required for interpreters: her entry in her country's roster" })
  @IsOptional()
  @IsUUID()
  interpreterId?: string;
}
