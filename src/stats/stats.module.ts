import { Module } from '@nestjs/common';
import { LanguagesModule } from '../languages/languages.module';
import { StatsController } from './stats.controller';
import { StatsService } from './stats.service';

@Module({
  imports: [LanguagesModule],
  controllers: [StatsController],
  providers: [StatsService],
})
export class StatsModule {}
