import { ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import { freePort } from './test-app';

/** A private Redis server that a test may stop and restart (the shared one on 6379 is never touched). */
export class TestRedis {
  private proc?: ChildProcess;
  /** With `persistent`, an append-only file (fsync on every write) keeps the data across a restart, as in deployment. */
  private readonly dir?: string;
  constructor(
    readonly port: number,
    persistent = false,
  ) {
    if (persistent) this.dir = mkdtempSync(join(tmpdir(), 'puente-redis-'));
  }

  static async start(opts: { persistent?: boolean } = {}): Promise<TestRedis> {
    const r = new TestRedis(await freePort(), opts.persistent);
    await r.start();
    return r;
  }

  get url() {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start() {
    const persistence = this.dir ? ['--appendonly', 'yes', '--appendfsync', 'always', '--dir', this.dir] : ['--appendonly', 'no'];
    this.proc = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', ...persistence], {
      stdio: 'ignore',
    });
    for (;;) {
      const probe = new Redis(this.port, '127.0.0.1', { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
      const ok = await probe
        .connect()
        .then(() => probe.ping())
        .catch(() => null);
      probe.disconnect();
      if (ok === 'PONG') return;
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  async stop() {
    if (!this.proc || this.proc.exitCode !== null) return;
    const exited = once(this.proc, 'exit');
    this.proc.kill('SIGKILL');
    await exited;
  }

  /** Gone for good: stopped, and its append-only file's folder removed. */
  async dispose() {
    await this.stop();
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
  }
}
