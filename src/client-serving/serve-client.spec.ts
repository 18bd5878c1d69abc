import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { serveClient } from './serve-client';

@Module({})
class Empty {}

async function appServing(dirs: string[]) {
  const app = await NestFactory.create<NestExpressApplication>(Empty, { logger: false });
  serveClient(app, dirs);
  await app.init();
  return app;
}

describe('serving the web client', () => {
  let dist: string;
  beforeAll(() => {
    dist = mkdtempSync(join(tmpdir(), 'puente-dist-'));
    mkdirSync(join(dist, 'assets'));
    for (const [name, body] of Object.entries({ 'index.html': '<p>caller</p>', 'sw.js': '//', 'neutral.html': '<p>weather</p>', 'icon.svg': '<svg/>', 'assets/caller-abc.js': '1' })) {
      writeFileSync(join(dist, name), body);
    }
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
      expect((await get('/assets/caller-abc.js')).headers['cache-control']).toBe('public, max-age=31536000, immutable');
      expect((await get('/icon.svg')).headers['cache-control']).toBe('public, max-age=3600');
      const neutral = await get('/neutral.html');
      expect(neutral.headers['cache-control']).toBe('no-store');
      expect(neutral.headers['clear-site-data']).toBe('"cache", "storage"');
    } finally {
      await app.close();
    }
  });
});
