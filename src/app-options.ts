import { DynamicModule, Global, Module, ServiceUnavailableException } from '@nestjs/common';

/** How createApp builds the application. A real node uses the defaults. */
export interface AppOptions {
  /**
   * false: no mediasoup worker is started, for test suites that make no call (auth, rosters, bookings...).
   * Every media operation then fails with MediaOffError, and readiness reports mediasoup down.
   */
  media?: boolean;
  /** Folders of built web clients to serve, first match wins (default client/dist); the browser tests serve client/dist-test. */
  clientDirs?: string[];
}

export const APP_OPTIONS = Symbol('APP_OPTIONS');

/** Makes the AppOptions injectable everywhere (optional: a provider built without it gets the defaults). */
@Global()
@Module({})
export class AppOptionsModule {
  static forRoot(options: AppOptions): DynamicModule {
    return { module: AppOptionsModule, providers: [{ provide: APP_OPTIONS, useValue: options }], exports: [APP_OPTIONS] };
  }
}

/**
 * A media operation in an application built with `media: false`: a test that needs media must start its app
 * with media. A 503, so that a socket acknowledgement carries this message instead of a bare internal error.
 */
export class MediaOffError extends ServiceUnavailableException {
  constructor() {
    super('media is off in this application (built with media: false)');
    this.name = 'MediaOffError';
  }
}
