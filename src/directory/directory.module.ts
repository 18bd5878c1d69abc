import { Module } from '@nestjs/common';
import { DirectoryController, DirectoryRosterController } from './directory.controller';
import { DirectoryService } from './directory.service';

/** Where help is: each roster's directory of services to refer a woman to (issue 16). */
@Module({
  controllers: [DirectoryController, DirectoryRosterController],
  providers: [DirectoryService],
  exports: [DirectoryService],
})
export class DirectoryModule {}
