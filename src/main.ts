import 'reflect-metadata';
import { Logger } from 'nestjs-pino';
import { loadConfig } from './config/config.schema';
import { createApp } from './app.setup';

export async function serve(env: Record<string, string | undefined> = process.env) {
  const config = loadConfig(env);
  const app = await createApp(config);
  // A node must outlive any single failed promise (a dropped Redis command, a client gone mid-flight).
  process.on('unhandledRejection', (reason) => {
    app.get(Logger).error({ err: (reason as Error)?.name ?? 'unknown' }, 'unhandled rejection');
  });
  await app.listen(config.PORT, '0.0.0.0');
  return app;
}

if (require.main === module) {
  serve().catch((e) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  });
}
