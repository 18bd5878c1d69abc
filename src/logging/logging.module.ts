import { Module, RequestMethod } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import type { IncomingMessage } from 'node:http';
import { AppConfig } from '../config/config.schema';

/**
 * Structured JSON logs (pino). Privacy: a log line carries method, route path, status and timing only:
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
          customProps: () => ({}),
          autoLogging: { ignore: (req: IncomingMessage) => req.url === '/health' || req.url === '/metrics' },
          serializers: {
            req: (req: { method: string; url: string }) => ({ method: req.method, path: String(req.url).split('?')[0] }),
            res: (res: { statusCode: number }) => ({ status: res.statusCode }),
          },
          redact: { paths: ['req.headers', 'req.body', 'req.query', 'req.remoteAddress', 'req.remotePort'], remove: true },
        },
      }),
    }),
  ],
})
export class LoggingModule {}
