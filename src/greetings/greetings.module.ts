import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { RostersModule } from '../rosters/rosters.module';
import { Greeting } from './entities/greeting.entity';
import { GreetingsController, LanguageGreetingController } from './greetings.controller';
import { GreetingsService } from './greetings.service';

/** Interpreters' recorded greetings, which callers hear when choosing a language. */
@Module({
  imports: [TypeOrmModule.forFeature([Greeting]), RostersModule],
  controllers: [GreetingsController, LanguageGreetingController],
  providers: [GreetingsService],
})
export class GreetingsModule {}
