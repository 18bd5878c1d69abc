import { Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import { createSecretKey } from 'node:crypto';
import { AppConfig } from '../config/config.schema';
import { UsersModule } from '../users/users.module';
import { AuthController } from './auth.controller';
import { AuthGuard } from './auth.guard';
import { AuthService } from './auth.service';
import { LoginLockout } from './login-lockout';

@Global()
@Module({
  imports: [
    UsersModule,
    JwtModule.registerAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({
        // A secret KeyObject, not the string: given a string, jsonwebtoken first tries to parse it as a PEM
        // public (or private) key and throws, on every sign and verify (every socket handshake).
        secret: createSecretKey(Buffer.from(config.JWT_SECRET, 'utf8')),
        signOptions: { algorithm: 'HS256', issuer: 'puente' },
        verifyOptions: { algorithms: ['HS256'], issuer: 'puente' },
      }),
    }),
  ],
  controllers: [AuthController],
  providers: [AuthService, LoginLockout, { provide: APP_GUARD, useClass: AuthGuard }],
  exports: [AuthService],
})
export class AuthModule {}
