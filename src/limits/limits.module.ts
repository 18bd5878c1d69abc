import { Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ThrottlerModule } from '@nestjs/throttler';
import type Redis from 'ioredis';
import { AppConfig } from '../config/config.schema';
import { REDIS } from '../redis/redis.module';
import { AddressCaps } from './address-caps.service';
import { AddressKeys } from './address-key';
import { CallerEventLimiter } from './caller-events';
import { AddressThrottlerGuard, throttlerOptions } from './throttling';

/** Limits shared by every node (Redis): REST per address, sockets and live requests per address, caller events per token. */
@Global()
@Module({
  imports: [
    ThrottlerModule.forRootAsync({
      inject: [AppConfig, REDIS],
      // Its own AddressKeys: the same key, derived from the configuration (this module's providers are not visible here).
      useFactory: (config: AppConfig, redis: Redis) => throttlerOptions(config, redis, new AddressKeys(config)),
    }),
  ],
  providers: [AddressKeys, AddressCaps, CallerEventLimiter, { provide: APP_GUARD, useClass: AddressThrottlerGuard }],
  exports: [AddressKeys, AddressCaps, CallerEventLimiter],
})
export class LimitsModule {}
