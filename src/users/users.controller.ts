import { Body, Controller, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentUser, Roles } from '../auth/auth.decorators';
import type { Principal } from '../auth/principal';
import { CreateUserDto } from './dto/create-user.dto';
import { UsersService } from './users.service';

@ApiTags('users')
@ApiBearerAuth()
@Controller('users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Post()
  @Roles('platform_admin', 'roster_admin')
  @ApiOperation({ summary: 'Create a staff account (a roster admin: in her own country only, 404 for another; 403 for a platform admin)' })
  create(@Body() body: CreateUserDto, @CurrentUser() actor: Principal) {
    return this.users.create(body, actor);
  }
}
