import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsDefined, IsObject, IsString, Matches, MaxLength, ValidateNested } from 'class-validator';

/** A subscription's keys, as the browser's PushSubscription.toJSON() gives them (base64url). */
export class PushKeysDto {
  /** The device's P-256 public key: an uncompressed point, 65 bytes. */
  @ApiProperty({ description: "the device's P-256 public key, base64url (65 bytes)" })
  @IsString()
  @Matches(/^[A-Za-z0-9_-]{86,87}={0,2}$/, { message: 'keys.p256dh must be a base64url P-256 public key (65 bytes)' })
  p256dh: string;

  /** The device's authentication secret, 16 bytes. */
  @ApiProperty({ description: "the device's authentication secret, base64url (16 bytes)" })
  @IsString()
  @Matches(/^[A-Za-z0-9_-]{22}={0,2}$/, { message: 'keys.auth must be a base64url secret of 16 bytes' })
  auth: string;
}

export class CreatePushSubscriptionDto {
  @ApiProperty({ description: "the push service's address for this device (on an allowed origin)", maxLength: 1024 })
  @IsString()
  @MaxLength(1024)
  endpoint: string;

  @ApiProperty({ type: PushKeysDto })
  @IsDefined()
  @IsObject()
  @ValidateNested()
  @Type(() => PushKeysDto)
  keys: PushKeysDto;
}
