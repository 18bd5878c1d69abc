import { Body, Controller, HttpCode, Ip, Post, Res } from '@nestjs/common';
import type { Response } from 'express';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Public } from './auth.decorators';
import { AuthService } from './auth.service';
import { EmptyDto, LoginDto } from './dto/login.dto';
import { LoginLocked } from './login-lockout';

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Public()
  @Post('login')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Staff login: returns a bearer token and the role. Repeated failures from one address are delayed (429 with Retry-After, growing); ' +
      'past a ceiling for the email, only addresses that logged in to it before may try',
  })
  async login(@Body() body: LoginDto, @Ip() address: string | undefined, @Res({ passthrough: true }) res: Response) {
    try {
      return await this.auth.login(body.email, body.password, address ?? 'unknown');
    } catch (e) {
      if (e instanceof LoginLocked) res.setHeader('Retry-After', String(e.seconds));
      throw e;
    }
  }

  @Public()
  @Post('caller')
  @HttpCode(200)
  @ApiOperation({ summary: 'Anonymous caller token; nothing about the caller is stored' })
  @ApiOkResponse({ schema: { properties: { accessToken: { type: 'string' } } } })
  callerToken(@Body() _body: EmptyDto) {
    return this.auth.callerToken();
  }
}
