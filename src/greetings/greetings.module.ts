import { Module } from '@nestjs/common';
import { MulterModule } from '@nestjs/platform-express';
import { TypeOrmModule } from '@nestjs/typeorm';
import { RostersModule } from '../rosters/rosters.module';
import { audioUploadLimits } from './audio-upload';
import { Greeting } from './entities/greeting.entity';
import { GreetingsController, LanguageGreetingController } from './greetings.controller';
import { GREETING_MAX_BYTES, GreetingsService } from './greetings.service';

/** Interpreters' recorded greetings, which callers hear when choosing a language. */
@Module({
  imports: [TypeOrmModule.forFeature([Greeting]), RostersModule, MulterModule.register(audioUploadLimits(GREETING_MAX_BYTES))],
  controllers: [GreetingsController, LanguageGreetingController],
  providers: [GreetingsService],
})
export class GreetingsModule {}
