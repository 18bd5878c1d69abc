import { AsyncLocalStorage } from 'node:async_hooks';
import { startTestApp, TestApp } from './utils/test-app';

/**
 * Requests are logged without an AsyncLocalStorage around each (src/logging/logging.module.ts): once one has run,
 * Node 20 calls promise hooks on every promise of the process, which slowed every socket event and query.
 * (That each request is still logged, by its route's pattern, is test/privacy-logs.e2e-spec.ts's.)
 */
describe('request logging', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ media: false });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('runs no request in an AsyncLocalStorage', async () => {
    // Any storage's, nestjs-pino's or another library's.
    const run = jest.spyOn(AsyncLocalStorage.prototype, 'run');
    const enterWith = jest.spyOn(AsyncLocalStorage.prototype, 'enterWith');
    try {
      await t.http().get('/api/v1/languages').expect(200);
      await t.http().get('/api/v1/no-such-route').expect(404);
      await t.http().post('/api/v1/auth/login').send({ email: 'nobody@example.org', password: 'x' }).expect(401);
      expect({ run: run.mock.calls.length, enterWith: enterWith.mock.calls.length }).toEqual({ run: 0, enterWith: 0 });
    } finally {
      run.mockRestore();
      enterWith.mockRestore();
    }
  });
});
