import { Module } from '@nestjs/common';
import { MulterModule } from '@nestjs/platform-express';
import { TypeOrmModule } from '@nestjs/typeorm';
import { RostersModule } from '../rosters/rosters.module';
import { Greeting } from './entities/greeting.entity';
import { GreetingsController, LanguageGreetingController } from './greetings.controller';
import { GREETING_MAX_BYTES, GreetingsService } from './greetings.service';

/** Interpreters' recorded greetings, which callers hear when choosing a language. */
@Module({
  imports: [
    TypeOrmModule.forFeature([Greeting]),
    RostersModule,
    // In memory only (never a temporary file); multer's LIMIT_FILE_SIZE becomes a 413.
    MulterModule.register({ limits: { fileSize: GREETING_MAX_BYTES, files: 1, fields: 2, parts: 3 } }),
  ],
  controllers: [GreetingsController, LanguageGreetingController],
  providers: [GreetingsService],
})
export class GreetingsModule {}
