import { Controller, Get, Module } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Public } from '../auth/auth.decorators';
import { RCM_COUNTRIES } from './countries';
import { MATTERS } from './domain';

@ApiTags('catalogue')
@Public()
@Controller()
export class CommonController {
  @Get('matters')
  @ApiOperation({ summary: 'What a request or booking can be about' })
  matters() {
    return MATTERS;
  }

  @Get('countries')
  @ApiOperation({ summary: 'The member states of the Regional Conference on Migration' })
  countries() {
    return Object.entries(RCM_COUNTRIES).map(([code, name]) => ({ code, name }));
  }
}

@Module({ controllers: [CommonController] })
export class CommonModule {}
