import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Request, Response } from 'express';
import request from 'supertest';
import { compressResponses } from './compress';
import { serveClient } from './serve-client';

@Module({})
class Empty {}

async function appServing(dirs: string[], compress = false) {
  const app = await NestFactory.create<NestExpressApplication>(Empty, { logger: false });
  if (compress) app.use(compressResponses());
  // An answer to a POST as big as any script: it carries a token, so it is never compressed.
  app.use('/post', (req: Request, res: Response) => res.json({ accessToken: 'x'.repeat(4000), echo: req.query.q }));
  serveClient(app, dirs);
  await app.init();
  return app;
}

describe('serving the web client', () => {
  let dist: string;
  beforeAll(() => {
    dist = mkdtempSync(join(tmpdir(), 'puente-dist-'));
    mkdirSync(join(dist, 'assets'));
    mkdirSync(join(dist, 'cues'));
    mkdirSync(join(dist, 'interpreter'));
    // Big enough to be worth compressing (compression's threshold is 1 KB); the cue is audio, compressed already.
    const script = 'export const words = ["uno", "dos", "tres"];\n'.repeat(200);
    const files = {
      'index.html': '<p>caller</p>',
      'sw.js': '//',
      'interpreter/sw.js': '//',
      'neutral.html': '<p>weather</p>',
      'icon.svg': '<svg/>',
      'assets/caller-abc.js': '1',
      'assets/call-abc.js': script,
      'assets/page-abc.css': 'p { color: green }\n'.repeat(200),
      'cues/offline.ogg': 'OggS'.repeat(1000),
      'manifest.webmanifest': '{}',
    };
    for (const [name, body] of Object.entries(files)) writeFileSync(join(dist, name), body);
  });
  afterAll(() => rmSync(dist, { recursive: true, force: true }));

  it('says how to build the client when client/dist is missing, and leaves other routes alone', async () => {
    const app = await appServing([join(dist, 'missing')]);
    try {
      for (const page of ['/', '/interpreter/', '/admin/', '/official/']) {
        const res = await request(app.getHttpServer()).get(page).expect(503);
        expect(res.text).toContain('npm run client:build');
      }
      await request(app.getHttpServer()).get('/api/v1/nothing').expect(404);
      await request(app.getHttpServer()).post('/').expect(404);
    } finally {
      await app.close();
    }
  });

  it('revalidates pages and the service worker every time, keeps hashed assets, and the neutral page clears the site', async () => {
    const app = await appServing([join(dist, 'missing'), dist]);
    const get = (path: string) => request(app.getHttpServer()).get(path).expect(200);
    try {
      expect((await get('/')).headers['cache-control']).toBe('no-cache');
      // The page opened from a hearing's join link is not cached under the address that holds the code.
      expect((await get('/?join=1234567890')).headers['cache-control']).toBe('no-store');
      const sw = await get('/sw.js');
      expect(sw.headers['cache-control']).toBe('no-cache');
      expect(sw.headers['service-worker-allowed']).toBe('/');
      // The interpreter console's own worker (offers by push) stays within /interpreter/.
      const consoleWorker = await get('/interpreter/sw.js');
      expect(consoleWorker.headers['cache-control']).toBe('no-cache');
      expect(consoleWorker.headers['service-worker-allowed']).toBeUndefined();
      expect((await get('/assets/caller-abc.js')).headers['cache-control']).toBe('public, max-age=31536000, immutable');
      expect((await get('/icon.svg')).headers['cache-control']).toBe('public, max-age=3600');
      const neutral = await get('/neutral.html');
      expect(neutral.headers['cache-control']).toBe('no-store');
      expect(neutral.headers['clear-site-data']).toBe('"cache", "storage"');
    } finally {
      await app.close();
    }
  });

  it('compresses scripts and styles (brotli, else gzip) when the browser accepts it; never audio, small files or identity-only browsers', async () => {
    const app = await appServing([dist], true);
    const get = (path: string, accept: string) => request(app.getHttpServer()).get(path).set('Accept-Encoding', accept).expect(200);
    try {
      const br = await get('/assets/call-abc.js', 'gzip, deflate, br');
      expect(br.headers['content-encoding']).toBe('br');
      expect(br.headers['vary']).toMatch(/accept-encoding/i);
      expect(br.headers['content-type']).toMatch(/^text\/javascript/);
      expect((await get('/assets/call-abc.js', 'gzip')).headers['content-encoding']).toBe('gzip');
      expect((await get('/assets/page-abc.css', 'gzip, br')).headers['content-encoding']).toBe('br');
      // Hashed files stay immutable once compressed.
      expect(br.headers['cache-control']).toBe('public, max-age=31536000, immutable');
      expect((await get('/assets/call-abc.js', 'identity')).headers['content-encoding']).toBeUndefined();
      expect((await get('/cues/offline.ogg', 'gzip, br')).headers['content-encoding']).toBeUndefined();
      expect((await get('/assets/caller-abc.js', 'gzip, br')).headers['content-encoding']).toBeUndefined();
      const post = await request(app.getHttpServer()).post('/post?q=guess').set('Accept-Encoding', 'gzip, br').expect(200);
      expect([post.headers['content-encoding'], post.body.accessToken.length]).toEqual([undefined, 4000]);
    } finally {
      await app.close();
    }
  });

  it('answers 304 to a page revalidated with its ETag', async () => {
    const app = await appServing([dist], true);
    try {
      const first = await request(app.getHttpServer()).get('/').expect(200);
      expect(first.headers['etag']).toBeTruthy();
      await request(app.getHttpServer()).get('/').set('If-None-Match', first.headers['etag']).expect(304);
    } finally {
      await app.close();
    }
  });

  it("docker/nginx.conf compresses every compressible type the client is served as (when a node's answer reaches it uncompressed)", async () => {
    const conf = readFileSync(join(__dirname, '..', '..', 'docker', 'nginx.conf'), 'utf8');
    const gzipTypes = new Set(['text/html', ...(/^\s*gzip_types\s+([^;]+);/m.exec(conf)?.[1].trim().split(/\s+/) ?? [])]);
    const app = await appServing([dist]);
    try {
      const served = new Set<string>();
      for (const path of ['/', '/assets/call-abc.js', '/assets/page-abc.css', '/icon.svg', '/manifest.webmanifest', '/cues/offline.ogg']) {
        const res = await request(app.getHttpServer()).get(path).expect(200);
        served.add(String(res.headers['content-type']).split(';')[0]);
      }
      expect(served).toContain('text/javascript');
      const compressible = [...served].filter((type) => type !== 'audio/ogg');
      expect(compressible.filter((type) => !gzipTypes.has(type))).toEqual([]);
    } finally {
      await app.close();
    }
  });
});
