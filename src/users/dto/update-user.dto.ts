import { ApiProperty } from '@nestjs/swagger';
import { IsBoolean } from 'class-validator';

export class UpdateUserDto {
  @ApiProperty({ description: 'true: she cannot log in and her tokens and sockets stop at once; false: she may log in again' })
  @IsBoolean()
  disabled: boolean;
}
