import { RequestMethod } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import helmet from 'helmet';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module';
import { AppOptions } from './app-options';
import { compressResponses } from './client-serving/compress';
import { serveClient } from './client-serving/serve-client';
import { strictValidationPipe } from './common/validation';
import { AppConfig } from './config/config.schema';
import { smallBodies } from './http/body-parsing';
import { cspDirectives } from './http/content-security-policy';
import type { Server } from 'node:http';
import { RedisIoAdapter } from './realtime/redis-io.adapter';
import { SOCKET_EVENTS_DOC } from './realtime/socket-events.doc';

const KEEP_ALIVE_MS = 65_000;

/**
 * Builds the application exactly as it runs in production; tests use the same function (some with
 * `media: false`; the browser tests with `clientDirs`, their own build of the client with its test hooks: see AppOptions).
 */
export async function createApp(config: AppConfig, options: AppOptions = {}): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config, options), {
    bufferLogs: true,
    bodyParser: false,
  });
  app.useLogger(app.get(Logger));
  app.enableShutdownHooks();
  // An idle keep-alive connection stays open longer than a proxy's or a client's own idle limit (60 s is common):
  // closed by the server first, a request the other side sends on it at that moment is lost (ECONNRESET). Node's 5 s
  // made that race likely for any client pausing about that long, the more so on a busy machine.
  const server = app.getHttpServer() as Server;
  server.keepAliveTimeout = KEEP_ALIVE_MS;
  app.set('trust proxy', config.TRUST_PROXY === 'false' ? false : config.TRUST_PROXY);
  app.use(compressResponses());
  app.use(helmet({ contentSecurityPolicy: { directives: cspDirectives(config.PUBLIC_ORIGINS) } }));
  app.enableCors({ origin: config.PUBLIC_ORIGINS, credentials: false });
  app.use(...smallBodies());
  app.setGlobalPrefix('api/v1', {
    exclude: [
      { path: 'health', method: RequestMethod.GET },
      { path: 'health/ready', method: RequestMethod.GET },
      { path: 'metrics', method: RequestMethod.GET },
    ],
  });
  app.useGlobalPipes(strictValidationPipe());
  app.useWebSocketAdapter(new RedisIoAdapter(app));
  serveClient(app, options.clientDirs);

  const openapi = new DocumentBuilder()
    .setTitle('Puente')
    .setDescription(`Remote interpretation for women who speak Indigenous languages. Public interface: API.md.\n${SOCKET_EVENTS_DOC}`)
    .setVersion('1')
    .addBearerAuth()
    .build();
  SwaggerModule.setup('api/docs', app, () => SwaggerModule.createDocument(app, openapi));
  return app;
}
