import { ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createSocket } from 'node:dgram';
import { freePort } from './test-app';

/** Debian's coturn on loopback, with coturn's shared-secret (time-limited) credentials, for one test file. */
export class TestTurn {
  private proc?: ChildProcess;
  readonly secret = 'test-turn-shared-secret-0123456789';
  readonly minPort = 49700;
  readonly maxPort = 49799;
  constructor(readonly port: number) {}

  static async start(): Promise<TestTurn> {
    const t = new TestTurn(await freePort());
    t.proc = spawn(
      'turnserver',
      [
        '-n',
        '--no-cli',
        '--no-tls',
        '--no-dtls',
        '--fingerprint',
        '--listening-ip=127.0.0.1',
        `--listening-port=${t.port}`,
        '--relay-ip=127.0.0.1',
        `--min-port=${t.minPort}`,
        `--max-port=${t.maxPort}`,
        '--use-auth-secret',
        `--static-auth-secret=${t.secret}`,
        '--realm=puente.test',
        '--allow-loopback-peers',
        '--no-stdout-log',
        '--log-file=/dev/null',
      ],
      { stdio: 'ignore' },
    );
    await t.ready();
    return t;
  }

  get url() {
    return `turn:127.0.0.1:${this.port}?transport=udp`;
  }

  /** Waits until the server answers a STUN binding request. */
  private async ready() {
    for (;;) {
      const answered = await new Promise<boolean>((resolve) => {
        const sock = createSocket('udp4');
        const req = Buffer.alloc(20);
        req.writeUInt16BE(0x0001, 0);
        req.writeUInt32BE(0x2112a442, 4);
        sock.once('message', () => (sock.close(), resolve(true)));
        sock.send(req, this.port, '127.0.0.1');
        setTimeout(() => {
          try {
            sock.close();
          } catch {
            /* closed */
          }
          resolve(false);
        }, 200);
      });
      if (answered) return;
      if (this.proc?.exitCode !== null) throw new Error('turnserver exited');
    }
  }

  async stop() {
    if (!this.proc || this.proc.exitCode !== null) return;
    const exited = once(this.proc, 'exit');
    this.proc.kill('SIGTERM');
    await exited;
  }
}
