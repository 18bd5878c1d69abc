import { DynamicModule, Global, Module } from '@nestjs/common';
import { AppConfig } from './config.schema';

/** Makes the validated AppConfig injectable everywhere; built once by loadConfig() before the app starts. */
@Global()
@Module({})
export class ConfigModule {
  static forRoot(config: AppConfig): DynamicModule {
    return { module: ConfigModule, providers: [{ provide: AppConfig, useValue: config }], exports: [AppConfig] };
  }
}
