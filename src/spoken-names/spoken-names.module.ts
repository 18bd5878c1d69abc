import { Module } from '@nestjs/common';
import { MulterModule } from '@nestjs/platform-express';
import { TypeOrmModule } from '@nestjs/typeorm';
import { audioUploadLimits } from '../greetings/audio-upload';
import { LanguagesModule } from '../languages/languages.module';
import { RostersModule } from '../rosters/rosters.module';
import { SpokenName } from './entities/spoken-name.entity';
import { SpokenNamesController } from './spoken-names.controller';
import { SPOKEN_NAME_MAX_BYTES, SpokenNamesService } from './spoken-names.service';

/** Languages' names spoken in themselves, recorded by staff and published by roster admins, for callers who choose by ear. */
@Module({
  imports: [
    TypeOrmModule.forFeature([SpokenName]),
    LanguagesModule,
    RostersModule,
    MulterModule.register(audioUploadLimits(SPOKEN_NAME_MAX_BYTES)),
  ],
  controllers: [SpokenNamesController],
  providers: [SpokenNamesService],
})
export class SpokenNamesModule {}
