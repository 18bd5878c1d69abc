import { DynamicModule, Module } from '@nestjs/common';
import { AppOptions, AppOptionsModule } from './app-options';
import { AuditModule } from './audit/audit.module';
import { AuthModule } from './auth/auth.module';
import { BookingsModule } from './bookings/bookings.module';
import { CommonModule } from './common/common.module';
import { ConfigModule } from './config/config.module';
import { AppConfig } from './config/config.schema';
import { DatabaseModule } from './database/database.module';
import { EventsModule } from './events/events.module';
import { GreetingsModule } from './greetings/greetings.module';
import { HealthModule } from './health/health.module';
import { HoursModule } from './hours/hours.module';
import { WrapupModule } from './wrapup/wrapup.module';
import { DirectoryModule } from './directory/directory.module';
import { InstitutionsModule } from './institutions/institutions.module';
import { LanguagesModule } from './languages/languages.module';
import { LimitsModule } from './limits/limits.module';
import { LoggingModule } from './logging/logging.module';
import { MatchingModule } from './matching/matching.module';
import { MediaModule } from './media/media.module';
import { MetricsModule } from './metrics/metrics.module';
import { PresenceModule } from './presence/presence.module';
import { PushModule } from './push/push.module';
import { QueueModule } from './queue/queue.module';
import { RealtimeModule } from './realtime/realtime.module';
import { RedisModule } from './redis/redis.module';
import { RetentionModule } from './retention/retention.module';
import { CertificationModule } from './rosters/certification/certification.module';
import { RostersModule } from './rosters/rosters.module';
import { LanguageRecordingsModule } from './language-recordings/language-recordings.module';
import { StatsModule } from './stats/stats.module';
import { UsersModule } from './users/users.module';

@Module({})
export class AppModule {
  static forRoot(config: AppConfig, options: AppOptions = {}): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        AppOptionsModule.forRoot(options),
        LoggingModule,
        EventsModule,
        DatabaseModule,
        RedisModule,
        QueueModule,
        LimitsModule,
        MetricsModule,
        AuditModule,
        CommonModule,
        AuthModule,
        UsersModule,
        InstitutionsModule,
        LanguagesModule,
        RostersModule,
        CertificationModule,
        RealtimeModule,
        PresenceModule,
        PushModule,
        MatchingModule,
        MediaModule,
        BookingsModule,
        StatsModule,
        HoursModule,
        WrapupModule,
        DirectoryModule,
        RetentionModule,
        GreetingsModule,
        LanguageRecordingsModule,
        HealthModule,
      ],
    };
  }
}
