import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { chownSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { freePort } from './ports';

const BIN = join('/usr/lib/postgresql', readdirSync('/usr/lib/postgresql').sort().pop()!, 'bin');

/**
 * A private PostgreSQL cluster (Debian's binaries, trust auth, loopback only) that a test may stop and
 * start again; the shared server that other test files use is never touched. Run as the `postgres` user,
 * since PostgreSQL refuses to run as root.
 */
export class TestPostgres {
  private proc?: ChildProcess;
  private constructor(
    readonly port: number,
    private readonly dir: string,
  ) {}

  static async start(): Promise<TestPostgres> {
    const dir = mkdtempSync(join(tmpdir(), 'puente-pg-'));
    chownSync(dir, uid('postgres'), gid('postgres'));
    execFileSync(
      'runuser',
      ['-u', 'postgres', '--', join(BIN, 'initdb'), '-D', join(dir, 'data'), '-A', 'trust', '-U', 'postgres', '--no-sync'],
      { stdio: 'ignore' },
    );
    const pg = new TestPostgres(await freePort(), dir);
    await pg.start();
    await pg.query('CREATE DATABASE puente');
    return pg;
  }

  get url() {
    return `postgres://postgres@127.0.0.1:${this.port}/puente`;
  }

  async start() {
    this.proc = spawn(
      'runuser',
      [
        '-u',
        'postgres',
        '--',
        join(BIN, 'postgres'),
        '-D',
        join(this.dir, 'data'),
        '-p',
        String(this.port),
        '-c',
        'listen_addresses=127.0.0.1',
        '-c',
        `unix_socket_directories=${this.dir}`,
        '-c',
        'fsync=off',
      ],
      { stdio: 'ignore' },
    );
    for (;;) {
      if (this.proc.exitCode !== null) throw new Error('the test PostgreSQL exited during start-up');
      if (
        await this.query('SELECT 1', 'postgres').then(
          () => true,
          () => false,
        )
      )
        return;
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** A crash: SIGKILL to the postmaster (its backends notice and exit; the next start recovers). */
  async kill() {
    if (!this.proc || this.proc.exitCode !== null) return;
    const exited = once(this.proc, 'exit');
    const postmaster = Number(readFileSync(join(this.dir, 'data', 'postmaster.pid'), 'utf8').split('\n')[0]);
    process.kill(postmaster, 'SIGKILL');
    await exited;
  }

  /** Gone for good: killed, and its folder (the cluster's files, its socket) removed. */
  async dispose() {
    await this.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }

  async query<T = Record<string, unknown>>(sql: string, database = 'postgres', params: unknown[] = []): Promise<T[]> {
    const c = new Client({ connectionString: `postgres://postgres@127.0.0.1:${this.port}/${database}`, connectionTimeoutMillis: 2000 });
    await c.connect();
    try {
      return (await c.query(sql, params)).rows as T[];
    } finally {
      await c.end();
    }
  }
}

function uid(user: string) {
  return Number(execFileSync('id', ['-u', user]).toString());
}
function gid(user: string) {
  return Number(execFileSync('id', ['-g', user]).toString());
}
