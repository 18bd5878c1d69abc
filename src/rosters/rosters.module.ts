import { Module } from '@nestjs/common';
import { MulterModule } from '@nestjs/platform-express';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AppConfig } from '../config/config.schema';
import { LanguagesModule } from '../languages/languages.module';
import { EventsModule } from '../events/events.module';
import { InterpreterLanguage } from './entities/interpreter-language.entity';
import { InterpreterRelayLanguage } from './entities/interpreter-relay-language.entity';
import { Interpreter } from './entities/interpreter.entity';
import { RosterSharing } from './entities/roster-sharing.entity';
import { RosterImportService } from './roster-import.service';
import { RostersController } from './rosters.controller';
import { RostersService } from './rosters.service';

@Module({
  imports: [
    TypeOrmModule.forFeature([Interpreter, InterpreterLanguage, InterpreterRelayLanguage, RosterSharing]),
    LanguagesModule,
    // RostersService announces suspensions on the bus; command-line contexts load this module without AppModule.
    EventsModule,
    // Uploads stay in memory (a roster file never touches the disk) and obey the same limit as raw bodies:
    // multer's LIMIT_FILE_SIZE becomes a 413.
    MulterModule.registerAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({ limits: { fileSize: config.ROSTER_IMPORT_MAX_BYTES, files: 1, fields: 5, parts: 6 } }),
    }),
  ],
  controllers: [RostersController],
  providers: [RostersService, RosterImportService],
  exports: [RostersService],
})
export class RostersModule {}
