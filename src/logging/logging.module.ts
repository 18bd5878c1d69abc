import { MiddlewareConsumer, Module, NestModule, RequestMethod } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { LoggerModule } from 'nestjs-pino';
import type { IncomingMessage } from 'node:http';
import { pinoHttp, type Options } from 'pino-http';
import { AppConfig } from '../config/config.schema';
import { RoutePatternInterceptor, type PatternedRequest } from './route-pattern.interceptor';

/** What a request's log line holds, and the level and redaction of every line. */
const logOptions = (config: AppConfig): Options<IncomingMessage> => ({
  level: config.LOG_LEVEL,
  quietReqLogger: true,
  genReqId: () => undefined as unknown as string,
  // The path of the line that ends a request, as its route's pattern (RoutePatternInterceptor): "/api/v1/languages/
  // :id/child-notice" says nobody's language (nor that a girl called), "/api/v1/sessions/:id/..." no call's id.
  // A request no route took (a 404, or refused before its handler: 401, 403, 429) is logged with its path.
  // (At the request's start the pattern is not known yet: nothing then, so the line has one path.)
  customProps: (req: IncomingMessage & PatternedRequest, res: { writableEnded?: boolean }) =>
    res.writableEnded ? { path: req.routePattern ?? String(req.url).split('?')[0] } : {},
  autoLogging: { ignore: (req: IncomingMessage) => req.url === '/health' || req.url === '/metrics' },
  serializers: {
    req: (req: { method: string }) => ({ method: req.method }),
    res: (res: { statusCode: number }) => ({ status: res.statusCode }),
  },
  redact: { paths: ['req.headers', 'req.body', 'req.query', 'req.remoteAddress', 'req.remotePort'], remove: true },
});

/**
 * Structured JSON logs (pino). Privacy: a log line carries method, route pattern, status and timing only:
 * never a body, a query string, a header, a token or an address. Nothing about a caller is logged.
 *
 * Requests are logged by pino-http alone. nestjs-pino's own middleware would also run each request in an
 * AsyncLocalStorage (so that a service's log line could carry the request's bindings, which here are none):
 * once one has run, Node 20 calls promise hooks on every promise of the process, sockets' and timers' work
 * included (BENCHMARKS.md, "Stop 38"). So nestjs-pino gives the application's logger only, on no route (it still
 * builds a pino-http of its own, as `PinoLogger.root`, which nothing uses).
 */
@Module({
  imports: [
    LoggerModule.forRootAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({ pinoHttp: logOptions(config), forRoutes: [] }),
    }),
  ],
  providers: [{ provide: APP_INTERCEPTOR, useClass: RoutePatternInterceptor }],
})
export class LoggingModule implements NestModule {
  constructor(private readonly config: AppConfig) {}

  configure(consumer: MiddlewareConsumer) {
    // Nest 11's path syntax for "every route" (the older '*' draws a deprecation warning).
    consumer.apply(pinoHttp(logOptions(this.config))).forRoutes({ path: '{*path}', method: RequestMethod.ALL });
  }
}
