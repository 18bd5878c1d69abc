import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { LanguagesModule } from '../languages/languages.module';
import { RostersModule } from '../rosters/rosters.module';
import { LanguageRecording } from './entities/language-recording.entity';
import { languageRecordingsController } from './language-recordings.controller';
import { LanguageRecordingsService } from './language-recordings.service';
import { RECORDING_KINDS } from './recording-kinds';

/**
 * What staff record for each language and roster admins publish: its name spoken in itself (for callers who choose
 * by ear) and the notices of what the service is (for a woman, for a girl), played on her waiting screen.
 */
@Module({
  imports: [TypeOrmModule.forFeature([LanguageRecording]), LanguagesModule, RostersModule],
  controllers: RECORDING_KINDS.map(languageRecordingsController),
  providers: [LanguageRecordingsService],
})
export class LanguageRecordingsModule {}
