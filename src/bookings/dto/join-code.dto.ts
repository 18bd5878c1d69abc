import { ApiProperty } from '@nestjs/swagger';
import { IsString, Matches } from 'class-validator';

export class RedeemJoinCodeDto {
  @ApiProperty({ example: '4821-9930-17', description: 'The one-time code the official gave her (digits; spaces and dashes ignored)' })
  @IsString()
  @Matches(/^[\d\s-]{10,20}$/, { message: 'code must be the 10 digits the official gave (spaces and dashes allowed)' })
  code: string;
}
