import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';
import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';

/** Where `npm run client:build` puts the web client, from src/ (ts-node, tests) or dist/src/ (compiled). */
export const CLIENT_DIST_DIRS = [join(__dirname, '..', '..', 'client', 'dist'), join(__dirname, '..', '..', '..', 'client', 'dist')];

/** The pages of the client: a request for one of these when nothing is built gets an explanation, not a bare 404. */
const PAGES = ['/', '/index.html', '/interpreter', '/interpreter/', '/admin', '/admin/', '/official', '/official/'];

const NOT_BUILT = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Puente: client not built</title></head>
<body><h1>The web client is not built</h1><p>The server is running, but <code>client/dist</code> is missing.
Build the client with <code>npm run client:build</code> (or start with <code>npm run demo</code>, which builds it), then reload.</p>
<p>The API is at <a href="/api/docs">/api/docs</a>.</p></body></html>`;

/**
 * Serves the built client: hashed assets for a year, the pages, the manifest and the service worker with
 * `no-cache` (revalidated every time, so a new release reaches phones at once and a stale worker never
 * sticks). The neutral page that quick exit lands on also asks the browser to drop this origin's HTTP cache
 * and storage (Clear-Site-Data), which page scripts cannot do themselves.
 */
export function serveClient(app: NestExpressApplication, dirs: string[] = CLIENT_DIST_DIRS): string | undefined {
  const dir = dirs.find((d) => existsSync(join(d, 'index.html')));
  if (!dir) {
    app.use((req: Request, res: Response, next: NextFunction) => {
      if ((req.method !== 'GET' && req.method !== 'HEAD') || !PAGES.includes(req.path)) return next();
      res.status(503).type('html').set('Cache-Control', 'no-store').send(NOT_BUILT);
    });
    return undefined;
  }
  app.useStaticAssets(dir, {
    index: 'index.html',
    setHeaders: (res, path) => {
      const name = basename(path);
      // A hearing's join link (`/?join=CODE`): the page is not kept in the browser's cache under that address.
      const joinLink = 'join' in (((res as Response).req?.query as Record<string, unknown> | undefined) ?? {});
      if (path.includes(`${join(dir, 'assets')}`)) res.setHeader('Cache-Control', 'public, max-age=31536000, immutable');
      else if (joinLink) res.setHeader('Cache-Control', 'no-store');
      else if (name === 'neutral.html') {
        res.setHeader('Cache-Control', 'no-store');
        res.setHeader('Clear-Site-Data', '"cache", "storage"');
      } else if (name.endsWith('.html') || name === 'sw.js' || name.endsWith('.webmanifest')) res.setHeader('Cache-Control', 'no-cache');
      else res.setHeader('Cache-Control', 'public, max-age=3600');
      // The caller's worker, at the root, keeps the offline shell for every page; the interpreter console's own
      // (interpreter/sw.js) stays within /interpreter/.
      if (path === join(dir, 'sw.js')) res.setHeader('Service-Worker-Allowed', '/');
    },
  });
  return dir;
}
