import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Public } from './auth.decorators';
import { AuthService } from './auth.service';
import { EmptyDto, LoginDto } from './dto/login.dto';

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Public()
  @Post('login')
  @HttpCode(200)
  @ApiOperation({ summary: 'Staff login: returns a bearer token and the role' })
  login(@Body() body: LoginDto) {
    return this.auth.login(body.email, body.password);
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
