import { Body, Controller, Delete, HttpCode, Param, Patch, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { EmptyDto } from '../auth/dto/login.dto';
import { uuidParam } from '../common/validation';
import { CurrentUser, Roles } from '../auth/auth.decorators';
import type { Principal } from '../auth/principal';
import { AccountsService } from './accounts.service';
import { CreateUserDto } from './dto/create-user.dto';
import { UpdateUserDto } from './dto/update-user.dto';
import { UsersService } from './users.service';

@ApiTags('users')
@ApiBearerAuth()
@Controller('users')
@Roles('platform_admin', 'roster_admin')
export class UsersController {
  constructor(
    private readonly users: UsersService,
    private readonly accounts: AccountsService,
  ) {}

  @Post()
  @ApiOperation({ summary: 'Create a staff account (a roster admin: in her own country only, 404 for another; 403 for a platform admin)' })
  create(@Body() body: CreateUserDto, @CurrentUser() actor: Principal) {
    return this.users.create(body, actor);
  }

  @Post(':id/revoke')
  @HttpCode(200)
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOperation({
    summary:
      "Revoke every token a staff member holds and cut her sockets on every node, at once (a roster admin: her country's accounts only)",
  })
  revoke(@Param('id', uuidParam('id')) id: string, @Body() _body: EmptyDto, @CurrentUser() actor: Principal) {
    return this.accounts.revoke(id, actor);
  }

  @Patch(':id')
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOperation({
    summary:
      "Disable or enable an account (a roster admin: her country's accounts only, 404 otherwise): disabled, she cannot log in and her tokens and sockets stop at once → {id, disabled}",
  })
  update(@Param('id', uuidParam('id')) id: string, @Body() body: UpdateUserDto, @CurrentUser() actor: Principal) {
    return this.accounts.setDisabled(id, body.disabled, actor);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOperation({
    summary:
      "Remove an account for good: its email and password are erased, its tokens and sockets stop at once (a roster admin: her country's accounts only)",
  })
  remove(@Param('id', uuidParam('id')) id: string, @CurrentUser() actor: Principal) {
    return this.accounts.remove(id, actor);
  }
}
