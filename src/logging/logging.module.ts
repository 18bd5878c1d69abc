import { Module, RequestMethod } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import type { IncomingMessage } from 'node:http';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { AppConfig } from '../config/config.schema';
import { RoutePatternInterceptor, type PatternedRequest } from './route-pattern.interceptor';

/**
 * Structured JSON logs (pino). Privacy: a log line carries method, route pattern, status and timing only:
 * never a body, a query string, a header, a token or an address. Nothing about a caller is logged.
 */
@Module({
  imports: [
    LoggerModule.forRootAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({
        // Nest 11's path syntax for "every route" (the default '*' draws a deprecation warning).
        forRoutes: [{ path: '{*path}', method: RequestMethod.ALL }],
        pinoHttp: {
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
        },
      }),
    }),
  ],
  providers: [{ provide: APP_INTERCEPTOR, useClass: RoutePatternInterceptor }],
})
export class LoggingModule {}
