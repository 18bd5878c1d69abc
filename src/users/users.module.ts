import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { InstitutionsModule } from '../institutions/institutions.module';
import { RostersModule } from '../rosters/rosters.module';
import { AccountsService } from './accounts.service';
import { User } from './entities/user.entity';
import { TokenValidity } from './token-validity';
import { UsersController } from './users.controller';
import { UsersService } from './users.service';

@Module({
  imports: [TypeOrmModule.forFeature([User]), RostersModule, InstitutionsModule],
  controllers: [UsersController],
  providers: [UsersService, AccountsService, TokenValidity],
  exports: [UsersService, TokenValidity],
})
export class UsersModule {}
