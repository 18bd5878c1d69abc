import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureClientBuilt } from './utils/client-build';

interface Size {
  files: string[];
  raw: number;
  gzip: number;
}
const ROOT = join(__dirname, '..');
const BUDGET = 150 * 1024;

/** The caller's page must stay light for cheap phones on weak networks: issue 5 sets 150 KB of gzipped JavaScript. */
describe('web client weight (bench/client-size.mjs on the Vite build)', () => {
  let pages: Record<string, { page: string; js: Size; css: Size; firstJs: Size }>;
  beforeAll(async () => {
    await ensureClientBuilt();
    pages = JSON.parse(execFileSync(process.execPath, [join(ROOT, 'bench', 'client-size.mjs'), '--json'], { cwd: ROOT, encoding: 'utf8' }));
  });

  it("measures every page, and the caller's JavaScript, mediasoup-client and socket.io included, is at most 150 KB gzipped", () => {
    expect(Object.keys(pages).sort()).toEqual(expect.arrayContaining(['index.html', 'interpreter/index.html', 'offline.html']));
    const caller = pages['index.html'];
    // What is measured really is the call code: mediasoup-client's Device and the socket.io client are in it.
    const code = caller.js.files.map((f) => readFileSync(join(ROOT, 'client', 'dist', f), 'utf8')).join('\n');
    expect(code).toContain('mediasoup-client');
    expect(code).toContain('socket.io');
    expect(caller.js.gzip).toBeGreaterThan(20 * 1024);
    expect(caller.js.gzip).toBeLessThanOrEqual(BUDGET);
    expect(caller.css.gzip).toBeGreaterThan(0);
  });

  it("loads the call's libraries only later: the caller page's first load (its HTML's scripts) holds neither", () => {
    const caller = pages['index.html'];
    const code = caller.firstJs.files.map((f) => readFileSync(join(ROOT, 'client', 'dist', f), 'utf8')).join('\n');
    expect(caller.firstJs.files.length).toBeGreaterThan(0);
    // mediasoup-client's logger name; socket.io-client's (engine.io's) default path.
    expect(code).not.toContain('mediasoup-client');
    expect(code).not.toMatch(/[`'"]\/engine\.io[`'"]/);
    expect(caller.firstJs.gzip).toBeLessThan(caller.js.gzip / 2);
  });

  it('keeps the offline shell free of the call code', () => {
    const offline = pages['offline.html'];
    const code = offline.js.files.map((f) => readFileSync(join(ROOT, 'client', 'dist', f), 'utf8')).join('\n');
    expect(code).not.toContain('mediasoup-client');
    expect(offline.js.gzip).toBeLessThan(pages['index.html'].js.gzip / 4);
  });
});
