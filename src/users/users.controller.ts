import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { EmptyDto } from '../auth/dto/login.dto';
import { uuidParam } from '../common/validation';
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

  @Post(':id/revoke')
  @HttpCode(200)
  @Roles('platform_admin', 'roster_admin')
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOperation({ summary: "Revoke every token a staff member holds, at once (a roster admin: her country's accounts only)" })
  revoke(@Param('id', uuidParam('id')) id: string, @Body() _body: EmptyDto, @CurrentUser() actor: Principal) {
    return this.users.revoke(id, actor);
  }
}
